import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LifelineServer
@testable import LifelineService
import LifelineStore
import LifelineTestSupport
import Testing

/// Vectors printed by scripts/twilio-signature-vectors: Twilio's own RequestValidator
/// (the `twilio` package, 9.13.0), not this code.
struct TwilioSignatureTests {
    struct Vector: Sendable {
        let token: String
        let url: String
        let parameters: [(name: String, value: String)]
        let signature: String
    }

    static let vectors: [Vector] = [
        Vector(
            token: "12345", url: "https://mycompany.com/myapp.php?foo=1&bar=2",
            parameters: [
                ("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"), ("From", "+12349013030"),
                ("To", "+18005551212"),
            ], signature: "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),
        Vector(
            token: String(repeating: "a", count: 32), url: "https://lifeline.example.org/v1/webhooks/twilio/sms",
            parameters: [
                ("From", "+447700900001"), ("To", "+447700900999"), ("Body", "STOP"),
                ("MessageSid", "SM" + String(repeating: "0", count: 32)), ("AccountSid", "AC" + String(repeating: "1", count: 32)),
            ], signature: "z+JWIwYBti9/A0Z2msDkGKM+VD4="),
        Vector(
            token: String(repeating: "b", count: 32), url: "http://127.0.0.1:8080/v1/webhooks/twilio/sms?x=1",
            parameters: [
                ("From", "+447700900002"), ("Body", "Zoë says yes 😀 & more=+"), ("MessageSid", "SM" + String(repeating: "2", count: 32)),
            ], signature: "VueXnduVuVSExZ6tfv+IWjC9Zfg="),
        Vector(
            token: String(repeating: "c", count: 32), url: "https://lifeline.example.org/v1/webhooks/twilio/status",
            parameters: [
                ("MessageSid", "SM" + String(repeating: "3", count: 32)), ("MessageStatus", "undelivered"), ("ErrorCode", "30003"),
            ], signature: "FeDgvI+k5DajA5tj1agvAO1Wn9s="),
    ]

    @Test(arguments: vectors)
    func matchesTwiliosReferenceImplementation(vector: Vector) {
        #expect(TwilioSignature.expected(authToken: vector.token, url: vector.url, parameters: vector.parameters) == vector.signature)
        #expect(TwilioSignature.isValid(vector.signature, authToken: vector.token, url: vector.url, parameters: vector.parameters))
        var tampered = vector.parameters
        tampered[0].value += "x"
        #expect(!TwilioSignature.isValid(vector.signature, authToken: vector.token, url: vector.url, parameters: tampered))
        #expect(!TwilioSignature.isValid(vector.signature, authToken: vector.token + "x", url: vector.url, parameters: vector.parameters))
    }

    /// The form body Twilio sends for a vector, percent-encoded.
    static func form(_ parameters: [(name: String, value: String)]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let text = parameters.map {
            "\($0.name.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
        return ByteBuffer(string: text)
    }

    @Test(arguments: TestEngine.allCases) func aSignedSTOPOptsTheNumberOutAndATamperedOneIs403AndChangesNothing(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            _ = try ConsentService(fixture.environment).recordAdminDecision(
                email: "ann@example.com", state: .optedIn, evidence: "signed form", actor: "admin")
            let stop = Self.vectors[1]
            var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
            configuration.publicURL = "https://lifeline.example.org"
            configuration.twilioAuthToken = stop.token
            try await fixture.application(configuration).test(.router) { client in
                var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                headers[TwilioRoutesHeader.signature] = stop.signature
                var tampered = stop.parameters
                tampered[2].value = "START"
                let refused = try await client.execute(
                    uri: "/v1/webhooks/twilio/sms", method: .post, headers: headers, body: Self.form(tampered))
                #expect(refused.status == .forbidden && refused.headers[.contentType] == "application/problem+json")
                #expect(try ConsentService(fixture.environment).status(of: "ann@example.com").first?.state == .optedIn)

                let accepted = try await client.execute(
                    uri: "/v1/webhooks/twilio/sms", method: .post, headers: headers, body: Self.form(stop.parameters))
                #expect(accepted.status == .ok && accepted.text.hasSuffix("<Response/>"))
                #expect(try ConsentService(fixture.environment).status(of: "ann@example.com").first?.state == .optedOut)
            }
        }
    }
}

extension TwilioSignatureTests {
    /// A captured, correctly signed request sent again (or Twilio's own retry) is answered as the
    /// first was and changes nothing: no ledger row, no reply SMS.
    @Test(arguments: TestEngine.allCases) func aReplayedSignedMessageChangesNothing(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            _ = try ConsentService(fixture.environment).recordAdminDecision(
                email: "ann@example.com", state: .optedIn, evidence: "signed form", actor: "admin")
            let token = String(repeating: "a", count: 32)
            var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
            configuration.publicURL = "https://lifeline.example.org"
            configuration.twilioAuthToken = token
            @Sendable func message(_ text: String, sid: String) -> (HTTPFields, ByteBuffer) {
                let parameters = [("From", "+447700900001"), ("Body", text), ("MessageSid", sid)]
                var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                headers[TwilioRoutesHeader.signature] = TwilioSignature.expected(
                    authToken: token, url: "https://lifeline.example.org/v1/webhooks/twilio/sms", parameters: parameters)
                return (headers, Self.form(parameters))
            }
            @Sendable func counts() throws -> (ledger: Int64, outbox: Int64) {
                try fixture.environment.database.withCurrentConnection { connection in
                    (
                        try connection.queryFirst("SELECT count(*) FROM consent_ledger") { $0.int64(at: 0) } ?? 0,
                        try connection.queryFirst("SELECT count(*) FROM outbox") { $0.int64(at: 0) } ?? 0
                    )
                }
            }
            let stop = message("STOP", sid: "SM" + String(repeating: "1", count: 32))
            let start = message("START", sid: "SM" + String(repeating: "2", count: 32))
            try await fixture.application(configuration).test(.router) { client in
                func send(_ request: (HTTPFields, ByteBuffer)) async throws {
                    let answer = try await client.execute(uri: "/v1/webhooks/twilio/sms", method: .post, headers: request.0, body: request.1)
                    #expect(answer.status == .ok)
                }
                try await send(stop)
                try await send(start)
                #expect(try ConsentService(fixture.environment).status(of: "ann@example.com").first?.state == .optedIn)
                let before = try counts()
                try await send(stop)
                try await send(start)
                try await send(stop)
                #expect(try ConsentService(fixture.environment).status(of: "ann@example.com").first?.state == .optedIn, "a replayed STOP opts no one out")
                #expect(try counts() == before, "no ledger row and no reply for a message handled before")
            }
        }
    }
}

/// Any other provider's webhooks, signed as Lifeline signs its own.
struct ProviderWebhookTests {
    static let secret = Array("a-provider-secret-of-32-bytes!!!".utf8)

    private func signed(_ body: String, at date: Date = Date(), secret: [UInt8] = ProviderWebhookTests.secret) -> HTTPFields {
        let timestamp = String(Int(date.timeIntervalSince1970))
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[HTTPField.Name("X-Lifeline-Timestamp")!] = timestamp
        headers[HTTPField.Name("X-Lifeline-Signature")!] = WebhookSignature.header(secret: secret, timestamp: timestamp, body: Array(body.utf8))
        return headers
    }

    @Test(arguments: TestEngine.allCases) func aSignedInboundSTOPOptsOutAndAForgedStaleOrUnsignedOneIs403(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            _ = try ConsentService(fixture.environment).recordAdminDecision(
                email: "bob@example.com", state: .optedIn, evidence: "form", actor: "admin")
            var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
            configuration.webhookSecret = Self.secret
            let stop = #"{"id":"m-1","from":"+447700900002","text":"STOP"}"#
            try await fixture.application(configuration).test(.router) { client in
                for headers in [
                    signed(stop, secret: Array("another-secret-of-32-bytes-long!".utf8)),
                    signed(stop, at: Date().addingTimeInterval(-301)),
                    [HTTPField.Name.contentType: "application/json"],
                ] {
                    let refused = try await client.execute(uri: "/v1/webhooks/inbound", method: .post, headers: headers, body: ByteBuffer(string: stop))
                    #expect(refused.status == .forbidden)
                }
                #expect(try ConsentService(fixture.environment).status(of: "bob@example.com").first?.state == .optedIn)
                let accepted = try await client.execute(uri: "/v1/webhooks/inbound", method: .post, headers: signed(stop), body: ByteBuffer(string: stop))
                #expect(accepted.status == .ok && accepted.json["action"] as? String == "opted_out", "\(accepted.text)")
                #expect(try ConsentService(fixture.environment).status(of: "bob@example.com").first?.state == .optedOut)
                let start = #"{"id":"m-2","from":"+447700900002","text":"START"}"#
                _ = try await client.execute(uri: "/v1/webhooks/inbound", method: .post, headers: signed(start), body: ByteBuffer(string: start))
                #expect(try ConsentService(fixture.environment).status(of: "bob@example.com").first?.state == .optedIn)
                let replayed = try await client.execute(uri: "/v1/webhooks/inbound", method: .post, headers: signed(stop), body: ByteBuffer(string: stop))
                #expect(replayed.status == .ok && replayed.json["action"] as? String == "opted_out", "the first delivery's answer")
                #expect(try ConsentService(fixture.environment).status(of: "bob@example.com").first?.state == .optedIn, "a replay changes nothing")
                let anonymous = #"{"from":"+447700900002","text":"STOP"}"#
                let withoutID = try await client.execute(uri: "/v1/webhooks/inbound", method: .post, headers: signed(anonymous), body: ByteBuffer(string: anonymous))
                #expect(withoutID.status == .badRequest, "the contract asks for the provider's id")

                let receipt = #"{"reference":"lifeline-999999","status":"delivered"}"#
                let unknown = try await client.execute(uri: "/v1/webhooks/receipts", method: .post, headers: signed(receipt), body: ByteBuffer(string: receipt))
                #expect(unknown.status == .notFound || unknown.status == .unprocessableContent, "\(unknown.text)")
            }
        }
    }
}
