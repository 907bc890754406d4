import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LifelineServer
import LifelineService
import LifelineStore
import LifelineTestSupport
import Testing

/// `/v1/events/{id}/responses` and `/reminders`: tallies and answers in JSON or CSV, and one
/// reminder per Idempotency-Key.
struct ResponsesRouteTests {
    @Test(arguments: TestEngine.allCases) func tallyPageExportAndRemindOncePerKey(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            let environment = fixture.environment
            try Data("email,groups\nann@example.com,Staff\nbob@example.com,Staff\n".utf8).write(to: URL(fileURLWithPath: folder + "/groups.csv"))
            _ = try DirectoryImporter(environment).importUsers(from: .file(path: folder + "/groups.csv"), path: "groups.csv", options: ImportOptions())
            for email in ["ann@example.com", "bob@example.com"] {
                _ = try ConsentService(environment).recordAdminDecision(email: email, state: .optedIn, evidence: "form", actor: "test")
            }
            var template = TemplateDraft(name: "Mail down", group: "Staff", startMessage: "Email is down.", endMessage: "Back.")
            template.question = "Reply 1 if you can work, 2 if you need help"
            template.answers = ["can work", "need help, \"urgently\""]
            _ = try EventTemplates(environment).create(template)
            let id = try EventService(environment).create(try EventTemplates(environment).eventDraft(from: "Mail down"), by: "test")
            _ = try EventService(environment).start(id: id, by: "test")
            _ = try await fixture.deliveredCodes()
            _ = try ConsentService(environment).handleInbound(from: "447700900001", text: "1")
            _ = try ConsentService(environment).handleInbound(from: "447700900001", text: "two")

            try await fixture.application().test(.router) { client in
                let first = try await client.execute(uri: "/v1/events/\(id)/responses?limit=1", method: .get, headers: fixture.headers(.operator))
                #expect(first.status == .ok, "\(first.text)")
                #expect((first.json["tallies"] as? [[String: Any]])?.map { $0["count"] as? Int } == [0, 1])
                #expect(first.json["no_answer"] as? Int == 1 && first.json["remindable"] as? Int == 1 && first.json["undelivered"] as? Int == 0)
                #expect((first.json["items"] as? [[String: Any]])?.map { $0["counts"] as? Bool } == [false])
                let cursor = try #require(first.json["next_cursor"] as? String)
                let second = try await client.execute(
                    uri: "/v1/events/\(id)/responses?limit=1&cursor=\(cursor)", method: .get, headers: fixture.headers(.operator))
                #expect((second.json["items"] as? [[String: Any]])?.map { $0["answer_text"] as? String } == ["need help, \"urgently\""])

                var csvHeaders = fixture.headers(.operator)
                csvHeaders[.accept] = "text/csv"
                let csv = try await client.execute(uri: "/v1/events/\(id)/responses", method: .get, headers: csvHeaders)
                #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
                let lines = csv.text.split(separator: "\r\n").map(String.init)
                #expect(lines.first == "email,answer,answer_text,received_at,counts" && lines.count == 3)
                #expect(lines.last?.hasPrefix(#"ann@example.com,2,"need help, ""urgently""","#) == true && lines.last?.hasSuffix(",yes") == true)

                let keyless = try await client.execute(uri: "/v1/events/\(id)/reminders", method: .post, headers: fixture.headers(.operator))
                #expect(keyless.status == .badRequest && (keyless.json["detail"] as? String)?.contains("Idempotency-Key") == true)
                var keyed = fixture.headers(.operator)
                keyed[HTTPField.Name("Idempotency-Key")!] = "5f1c0c6e-double-click"
                let reminded = try await client.execute(uri: "/v1/events/\(id)/reminders", method: .post, headers: keyed)
                #expect(reminded.status == .accepted && reminded.json["queued"] as? Int == 1 && reminded.json["already_done"] as? Bool == false)
                let again = try await client.execute(uri: "/v1/events/\(id)/reminders", method: .post, headers: keyed)
                #expect(again.status == .ok && again.json["queued"] as? Int == 1 && again.json["already_done"] as? Bool == true)
                let outbox = try fixture.connection().queryFirst("SELECT count(*) FROM outbox WHERE kind = 'event_reminder_1'") { $0.int64(at: 0) }
                #expect(outbox == 1, "the second request with the same key queued nothing")

                let portal = try await client.execute(uri: "/v1/events/\(id)/responses", method: .get, headers: fixture.headers(.portal))
                #expect(portal.status == .forbidden)
            }
        }
    }
}
