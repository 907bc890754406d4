import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService
@testable import LifelineWebhook

/// The Twilio gateway against a scripted Messages API on 127.0.0.1.
struct TwilioGatewayTests {
    static let account = "AC" + String(repeating: "1", count: 32)

    private func gateway(_ server: ScriptedHTTPServer, sender: TwilioConfiguration.Sender = .from("+15005550006")) throws -> TwilioGateway {
        TwilioGateway(
            configuration: try TwilioConfiguration(
                apiBase: "http://127.0.0.1:\(server.port)", accountSID: Self.account, authToken: "token-1", sender: sender,
                statusCallback: "https://sms.example.org/v1/webhooks/twilio/status"))
    }

    private func message(_ id: Int64, program: Program = .continuity, body: String = "Mail is down, Zoë.") -> GatewayMessage {
        GatewayMessage(id: id, channel: .sms, destination: "447700900001", body: body, program: program, kind: "event_start", eventID: 1, attempt: 1)
    }

    @Test func postsTheFormWithBasicAuthAndKeepsTwiliosSid() async throws {
        let server = try ScriptedHTTPServer(script: [.init(status: 201, body: #"{"sid": "SM123", "status": "queued"}"#)])
        defer { server.stop() }
        let outcomes = try await gateway(server).send([message(1)])
        #expect(outcomes == [.sent(providerID: "SM123")])
        let request = try #require(server.received.first)
        #expect(request.method == "POST" && request.path == "/2010-04-01/Accounts/\(Self.account)/Messages.json")
        #expect(request.headers["authorization"] == "Basic " + Data("\(Self.account):token-1".utf8).base64EncodedString())
        #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
        let form = String(decoding: request.body, as: UTF8.self)
        #expect(form == "To=%2B447700900001&Body=Mail%20is%20down%2C%20Zo%C3%AB.&From=%2B15005550006"
            + "&StatusCallback=https%3A%2F%2Fsms.example.org%2Fv1%2Fwebhooks%2Ftwilio%2Fstatus")
    }

    @Test func errorsAreRetriedOrFailedWithTwiliosCodeAndNeverTheBodyOfACode() async throws {
        let server = try ScriptedHTTPServer(script: [
            .init(status: 429, headers: ["Retry-After": "30"], body: "{}"),
            .init(status: 400, body: #"{"code": 21211, "message": "The 'To' number +447700900001 is not valid. Body: Your code is 123456"}"#),
        ])
        defer { server.stop() }
        let twilio = try gateway(server, sender: .messagingService("MG" + String(repeating: "2", count: 32)))
        #expect(try await twilio.send([message(1)]) == [.throttled(reason: "HTTP 429: {}", after: .seconds(30))])
        #expect(try await twilio.send([message(2, program: .verification, body: "Your code is 123456")]) == [.failed(reason: "HTTP 400 (provider error 21211)")])
        #expect(String(decoding: server.received[0].body, as: UTF8.self).contains("MessagingServiceSid=MG"))
    }

    @Test func theConfigurationIsCheckedBeforeAnythingIsSent() {
        #expect(throws: GatewayFailure.self) {
            try TwilioConfiguration(accountSID: "nope", authToken: "t", sender: .from("+1"))
        }
        #expect(throws: GatewayFailure.self) {
            try TwilioConfiguration(apiBase: "http://api.example.com", accountSID: Self.account, authToken: "t", sender: .from("+1"))
        }
        #expect(throws: Never.self) {
            try TwilioConfiguration(accountSID: Self.account, authToken: "t", sender: .from("+1"))
        }
    }
}
