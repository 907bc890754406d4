import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LifelineServer
import LifelineService
import LifelineStore
import LifelineTestSupport
import Testing

/// An outage from end to end: Alertmanager's notification replayed three times drafts one
/// event; it starts to 1,000 recipients; 600 signed replies come back (answers in several
/// spellings, changed answers, STOP, junk, numbers never texted); the tallies are exact, and a
/// reminder reaches exactly those who have not answered and are still opted in, once per key.
struct ReplayedEventTests {
    static let secret = Array("a-provider-secret-of-32-bytes!!!".utf8)
    static let recipients = 1_000

    static func number(_ index: Int) -> String { "4477009" + String(10_000 + index) }

    static func signed(_ body: String) -> HTTPFields {
        let timestamp = String(Int(Date().timeIntervalSince1970))
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[HTTPField.Name("X-Lifeline-Timestamp")!] = timestamp
        headers[HTTPField.Name("X-Lifeline-Signature")!] = WebhookSignature.header(secret: secret, timestamp: timestamp, body: Array(body.utf8))
        return headers
    }

    @Test(arguments: TestEngine.allCases) func alertmanagerToTalliesAndOneReminder(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            let environment = fixture.environment
            var csv = "email,name,mobile,groups\n"
            for index in 0..<Self.recipients { csv += "p\(index)@example.com,Person \(index),\(Self.number(index)),Staff\n" }
            try Data(csv.utf8).write(to: URL(fileURLWithPath: folder + "/staff-1000.csv"))
            _ = try DirectoryImporter(environment).importUsers(from: .file(path: folder + "/staff-1000.csv"), path: "staff-1000.csv", options: ImportOptions())
            let consent = ConsentService(environment)
            for index in 0..<Self.recipients {
                _ = try consent.recordAdminDecision(email: "p\(index)@example.com", state: .optedIn, evidence: "signed form", actor: "test")
            }
            var template = TemplateDraft(name: "Mail down", group: "Staff", startMessage: "Email is down.", endMessage: "Email is back.")
            template.triggerLabels = ["alertname": "MailDown"]
            template.question = "Reply 1 if you can work, 2 if you need help"
            template.answers = ["can work", "need help"]
            _ = try EventTemplates(environment).create(template)
            var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
            configuration.webhookSecret = Self.secret

            try await fixture.application(configuration).test(.router) { client in
                var eventIDs: Set<Int> = []
                for _ in 1...3 {
                    let answer = try await client.execute(
                        uri: "/v1/triggers/alertmanager", method: .post, headers: fixture.headers(.trigger),
                        body: ByteBuffer(string: TriggerRouteTests.alertmanager()))
                    for result in (answer.json["results"] as? [[String: Any]]) ?? [] { eventIDs.insert(result["event_id"] as? Int ?? 0) }
                }
                #expect(try EventService(environment).list(state: .draft).count == 1 && eventIDs.count == 1, "three notifications, one draft")
                let id = try #require(eventIDs.first)
                let started = try await client.execute(uri: "/v1/events/\(id)/start", method: .post, headers: fixture.headers(.operator))
                #expect(started.json["queued"] as? Int == Self.recipients)
                _ = try await fixture.deliveredCodes()

                // 600 replies: 200 "1", 150 " 2 ", 70 "2.", 30 STOP, 50 junk, 50 from numbers never
                // texted, and 50 of the first 200 changing their answer to "two".
                var replies: [(from: String, text: String)] = []
                for index in 0..<200 { replies.append((Self.number(index), "1")) }
                for index in 200..<350 { replies.append((Self.number(index), " 2 ")) }
                for index in 350..<420 { replies.append((Self.number(index), "2.")) }
                for index in 420..<450 { replies.append((Self.number(index), "STOP")) }
                for index in 450..<500 { replies.append((Self.number(index), "ok thanks")) }
                for index in 0..<50 { replies.append(("4477009" + String(90_000 + index), "1")) }
                for index in 0..<50 { replies.append((Self.number(index), "two")) }
                #expect(replies.count == 600)
                for (offset, reply) in replies.enumerated() {
                    let body = #"{"id":"m-\#(offset)","from":"+\#(reply.from)","text":"\#(reply.text)"}"#
                    let answer = try await client.execute(uri: "/v1/webhooks/inbound", method: .post, headers: Self.signed(body), body: ByteBuffer(string: body))
                    #expect(answer.status == .ok, "\(offset): \(answer.text)")
                }

                let responses = try await client.execute(uri: "/v1/events/\(id)/responses", method: .get, headers: fixture.headers(.operator))
                #expect((responses.json["tallies"] as? [[String: Any]])?.map { $0["count"] as? Int } == [150, 270])
                #expect(responses.json["no_answer"] as? Int == Self.recipients - 420 && responses.json["undelivered"] as? Int == 0)
                #expect(responses.json["remindable"] as? Int == Self.recipients - 420 - 30, "those who sent STOP are not asked again")
                let optedOut = try consent.status(of: "p420@example.com").first?.state
                #expect(optedOut == .optedOut, "STOP kept its meaning")

                var keyed = fixture.headers(.operator)
                keyed[HTTPField.Name("Idempotency-Key")!] = "reminder-after-an-hour"
                let reminded = try await client.execute(uri: "/v1/events/\(id)/reminders", method: .post, headers: keyed)
                #expect(reminded.status == .accepted && reminded.json["queued"] as? Int == Self.recipients - 450)
                let again = try await client.execute(uri: "/v1/events/\(id)/reminders", method: .post, headers: keyed)
                #expect(again.status == .ok && again.json["already_done"] as? Bool == true)
                let connection = try fixture.connection()
                let reminded1 = try connection.query(
                    "SELECT u.email FROM outbox o JOIN users u ON u.id = o.user_id WHERE o.kind = 'event_reminder_1' ORDER BY u.id") { $0.string(at: 0) }
                let expected = (0..<Self.recipients).filter { !(0..<450).contains($0) }.map { "p\($0)@example.com" }
                #expect(reminded1 == expected, "exactly the non-responders still opted in, once")
            }
        }
    }
}
