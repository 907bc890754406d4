import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LifelineServer
import LifelineService
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

    @Test func aSignedSTOPOptsTheNumberOutAndATamperedOneIs403AndChangesNothing() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder)
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

    @Test func aSignedInboundSTOPOptsOutAndAForgedStaleOrUnsignedOneIs403() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder)
            _ = try ConsentService(fixture.environment).recordAdminDecision(
                email: "bob@example.com", state: .optedIn, evidence: "form", actor: "admin")
            var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
            configuration.webhookSecret = Self.secret
            let stop = #"{"from":"+447700900002","text":"STOP"}"#
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

                let receipt = #"{"reference":"lifeline-999999","status":"delivered"}"#
                let unknown = try await client.execute(uri: "/v1/webhooks/receipts", method: .post, headers: signed(receipt), body: ByteBuffer(string: receipt))
                #expect(unknown.status == .notFound || unknown.status == .unprocessableContent, "\(unknown.text)")
            }
        }
    }
}
