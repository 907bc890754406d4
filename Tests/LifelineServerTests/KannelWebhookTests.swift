import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LifelineServer
import LifelineStore
import LifelineTestSupport
@testable import LifelineWebhook
import Testing

@testable import LifelineService

/// Kannel's callbacks: replies through the sms-service get-url and delivery reports through
/// each message's dlr-url, both refused without the right token.
struct KannelWebhookTests {
    private func tokens(_ fixture: ServerFixture) throws -> KannelTokens {
        KannelTokens(keys: try #require(try fixture.environment.secret.keys(create: false, random: SystemRandom())))
    }

    private func query(_ fields: [(String, String)]) -> String {
        FormEncoding.encode(fields)
    }

    @Test(arguments: TestEngine.allCases) func aSTOPWithTheInstallationsTokenOptsTheSenderOutAndAWrongTokenChangesNothing(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            _ = try ConsentService(fixture.environment).recordAdminDecision(
                email: "ann@example.com", state: .optedIn, evidence: "signed form", actor: "admin")
            let token = try tokens(fixture).replies
            let wrongToken = (token.hasPrefix("0") ? "1" : "0") + token.dropFirst()
            try await fixture.application().test(.router) { client in
                let wrong = try await client.execute(
                    uri: "/v1/webhooks/kannel/sms?" + query([("token", wrongToken), ("from", "447700900001"), ("text", "STOP")]),
                    method: .get)
                #expect(wrong.status == .forbidden)
                #expect(try ConsentService(fixture.environment).status(of: "ann@example.com").first?.state == .optedIn)

                let stop = "/v1/webhooks/kannel/sms?"
                    + query([("token", token), ("from", "447700900001"), ("text", "STOP"), ("id", "5d1f0b6e-kannel")])
                #expect(try await client.execute(uri: stop, method: .get).status == .ok)
                #expect(try ConsentService(fixture.environment).status(of: "ann@example.com").first?.state == .optedOut)
                // Kannel delivering the same message again changes nothing: no second reply.
                let replies = try fixture.environment.database.read { try OutboxStore(connection: $0).messages(to: "447700900001").count }
                #expect(try await client.execute(uri: stop, method: .get).status == .ok)
                #expect(try fixture.environment.database.read { try OutboxStore(connection: $0).messages(to: "447700900001").count } == replies)
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func aDeliveryReportMarksItsOwnMessageAndNoOther(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            let connection = try fixture.connection()
            defer { connection.close() }
            for _ in 1...2 {
                try connection.execute(
                    """
                    INSERT INTO outbox (channel, destination, body, kind, program, status, attempts, next_attempt_at, created_at, updated_at)
                    VALUES ('sms', '447700900001', 'hello', 'test', 'service', 'sent', 1, 0, 0, 0)
                    """)
            }
            let ids = try connection.query("SELECT id FROM outbox WHERE kind = 'test' ORDER BY id") { $0.int64(at: 0) }
            let (first, second) = (ids[0], ids[1])
            let tokens = try tokens(fixture)
            try await fixture.application().test(.router) { client in
                func report(id: Int64, token: String, type: Int) async throws -> TestResponse {
                    try await client.execute(
                        uri: "/v1/webhooks/kannel/status?" + query([("id", String(id)), ("token", token), ("type", String(type)), ("answer", "ACK")]),
                        method: .get)
                }
                #expect(try await report(id: second, token: tokens.receipt(messageID: first), type: 1).status == .forbidden)
                let buffered = try await report(id: first, token: tokens.receipt(messageID: first), type: 8)
                #expect(buffered.status == .ok && buffered.text.contains("false"))
                #expect(try await report(id: first, token: tokens.receipt(messageID: first), type: 1).status == .ok)
                #expect(try await report(id: second, token: tokens.receipt(messageID: second), type: 16).status == .ok)
            }
            let statuses = try connection.query("SELECT status, last_error FROM outbox WHERE id IN (?, ?) ORDER BY id", first, second) {
                ($0.string(at: 0), try $0.get(1, as: String?.self))
            }
            #expect(statuses[0].0 == "delivered" && statuses[1].0 == "failed" && statuses[1].1 == "Kannel: ACK")
        }
    }
}

struct KannelGatewayTests {
    private func configuration() throws -> KannelConfiguration {
        try KannelConfiguration(
            sendsmsURL: "http://127.0.0.1:13013/cgi-bin/sendsms", username: "lifeline", password: "p&w", from: "Lifeline",
            receiptURL: "https://sms.example.org/v1/webhooks/kannel/status",
            tokens: KannelTokens(keys: try SecretKeys(secret: Array(repeating: 7, count: 32))))
    }

    private func message(_ body: String) -> GatewayMessage {
        GatewayMessage(
            id: 9, channel: .sms, destination: "447700900001", body: body, program: .continuity, kind: "event_start", eventID: 1,
            attempt: 1)
    }

    private func fields(_ url: String) -> [String: String] {
        let query = url.split(separator: "?", maxSplits: 1)[1]
        return Dictionary(FormEncoding.parse(Array(query.utf8)).map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
    }

    @Test func theCodingFollowsTheBodysEncodingAndTheReceiptURLCarriesTheMessagesToken() throws {
        let configuration = try configuration()
        let gateway = KannelGateway(configuration: configuration)
        let plain = fields(gateway.url(for: message("Email is down, Ann.")))
        #expect(plain["coding"] == "0" && plain["charset"] == "UTF-8" && plain["text"] == "Email is down, Ann.")
        #expect(plain["username"] == "lifeline" && plain["password"] == "p&w" && plain["from"] == "Lifeline")
        #expect(plain["to"] == "447700900001" && plain["dlr-mask"] == "19")
        let token = try #require(configuration.tokens).receipt(messageID: 9)
        #expect(plain["dlr-url"] == "https://sms.example.org/v1/webhooks/kannel/status?id=9&token=\(token)&type=%d&answer=%A")
        #expect(fields(gateway.url(for: message("Zoë ✓")))["coding"] == "2")
    }

    @Test func theConfigurationRefusesPlainHTTPToAnotherHostAndMissingCredentials() {
        #expect(throws: GatewayFailure.self) {
            try KannelConfiguration(sendsmsURL: "http://kannel.example.org/cgi-bin/sendsms", username: "u", password: "p")
        }
        #expect(throws: GatewayFailure.self) {
            try KannelConfiguration(sendsmsURL: "http://127.0.0.1:13013/cgi-bin/sendsms", username: "u", password: "")
        }
    }

    @Test func theGroupsCarryTheRepliesTokenAndQuoteTheirValues() throws {
        let tokens = KannelTokens(keys: try SecretKeys(secret: Array(repeating: 7, count: 32)))
        let text = KannelSetup.groups(publicURL: "https://sms.example.org/", username: "life\"line", password: "pw", tokens: tokens)
        #expect(text.contains("group = sendsms-user\nusername = \"life\\\"line\""))
        #expect(text.contains("get-url = \"https://sms.example.org/v1/webhooks/kannel/sms?token=\(tokens.replies)&from=%p&text=%a&id=%I\""))
        #expect(text.contains("max-messages = 0"))
        #expect(tokens.replies != tokens.receipt(messageID: 1) && tokens.replies.count == 32)
    }
}
