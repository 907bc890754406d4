import Foundation
import Hummingbird
import HummingbirdTesting
import LifelineService
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineServer

/// `/v1/triggers`: monitoring drafts events from templates, once per alert group, under a key of
/// the `trigger` role, with every step in the event's audit.
struct TriggerRouteTests {
    /// Alertmanager's webhook payload (version 4) as it sends one: two alerts in the group, one
    /// of them the mail relay's.
    static func alertmanager(status: String = "firing", version: String = "4", alertname: String = "MailDown") -> String {
        """
        {"receiver":"lifeline","status":"\(status)","alerts":[
          {"status":"\(status)","labels":{"alertname":"\(alertname)","instance":"mx1:9100","job":"smtp","severity":"critical"},
           "annotations":{"summary":"mx1 refuses deliveries"},"startsAt":"2026-12-06T02:10:00Z","endsAt":"0001-01-01T00:00:00Z",
           "generatorURL":"http://prometheus:9090/graph?g0.expr=up","fingerprint":"a1b2c3d4e5f60718"},
          {"status":"\(status)","labels":{"alertname":"DiskFull","instance":"mx1:9100","severity":"warning"},
           "annotations":{},"startsAt":"2026-12-06T02:11:00Z","endsAt":"0001-01-01T00:00:00Z",
           "generatorURL":"http://prometheus:9090/graph","fingerprint":"0f1e2d3c4b5a6978"}],
         "groupLabels":{"instance":"mx1:9100"},"commonLabels":{"instance":"mx1:9100"},"commonAnnotations":{},
         "externalURL":"http://alertmanager:9093","version":"\(version)",
         "groupKey":"{}/{severity=~\\"critical|warning\\"}:{instance=\\"mx1:9100\\"}","truncatedAlerts":0}
        """
    }

    static func fixture(folder: String, engine: TestEngine) throws -> ServerFixture {
        let fixture = try ServerFixture(folder: folder, engine: engine)
        try Data("email,groups\nann@example.com,Staff\nbob@example.com,Staff\n".utf8).write(to: URL(fileURLWithPath: folder + "/groups.csv"))
        _ = try DirectoryImporter(fixture.environment).importUsers(from: .file(path: folder + "/groups.csv"), path: "groups.csv", options: ImportOptions())
        var draft = TemplateDraft(name: "Mail down", group: "Staff", startMessage: "Email is down ({event}).", endMessage: "Email is back.")
        draft.triggerLabels = ["alertname": "MailDown", "severity": "critical"]
        _ = try EventTemplates(fixture.environment).create(draft)
        _ = try EventTemplates(fixture.environment).create(
            TemplateDraft(name: "Without labels", group: "Staff", startMessage: "Down.", endMessage: "Back."))
        return fixture
    }

    @Test(arguments: TestEngine.allCases) func aRepeatedAlertGroupDraftsOneEventAndItsResolutionOffersTheEnd(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try Self.fixture(folder: folder, engine: engine)
            let events = EventService(fixture.environment)
            try await fixture.application().test(.router) { client in
                for role in [APIKeyRole.operator, .admin, nil] {
                    let refused = try await client.execute(
                        uri: "/v1/triggers/alertmanager", method: .post, headers: fixture.headers(role), body: ByteBuffer(string: Self.alertmanager()))
                    #expect(refused.status == (role == nil ? .unauthorized : .forbidden), "\(String(describing: role))")
                }
                let elsewhere = try await client.execute(uri: "/v1/events", method: .get, headers: fixture.headers(.trigger))
                #expect(elsewhere.status == .forbidden, "a trigger key drafts events and does nothing else")

                // Alertmanager resends a group at every repeat_interval, and HA pairs send it twice.
                var answers: [TestResponse] = []
                for _ in 1...3 {
                    answers.append(try await client.execute(
                        uri: "/v1/triggers/alertmanager", method: .post, headers: fixture.headers(.trigger), body: ByteBuffer(string: Self.alertmanager())))
                }
                let results = answers.map { ($0.json["results"] as? [[String: Any]]) ?? [] }
                #expect(answers.allSatisfy { $0.status == .ok })
                #expect(results.map { $0.map { $0["action"] as? String } } == [["drafted"], ["repeated"], ["repeated"]])
                let eventID = try #require(results[0].first?["event_id"] as? Int)
                #expect(results.allSatisfy { $0.first?["event_id"] as? Int == eventID && $0.first?["template"] as? String == "Mail down" })
                let drafts = try events.list(state: .draft)
                #expect(drafts.map(\.id) == [Int64(eventID)], "one draft for three notifications")
                #expect(drafts.first?.name.hasPrefix("Mail down ") == true)
                #expect(try events.show(id: Int64(eventID)).deliveries.isEmpty, "nobody is texted until someone starts it")

                let unrelated = try await client.execute(
                    uri: "/v1/triggers/alertmanager", method: .post, headers: fixture.headers(.trigger),
                    body: ByteBuffer(string: Self.alertmanager(alertname: "CPUHigh")))
                #expect(unrelated.status == .ok && (unrelated.json["results"] as? [Any])?.isEmpty == true)
                let oldVersion = try await client.execute(
                    uri: "/v1/triggers/alertmanager", method: .post, headers: fixture.headers(.trigger),
                    body: ByteBuffer(string: Self.alertmanager(version: "3")))
                #expect(oldVersion.status == .unprocessableContent && (oldVersion.json["detail"] as? String)?.contains("version 4") == true)

                let resolved = try await client.execute(
                    uri: "/v1/triggers/alertmanager", method: .post, headers: fixture.headers(.trigger),
                    body: ByteBuffer(string: Self.alertmanager(status: "resolved")))
                #expect((resolved.json["results"] as? [[String: Any]])?.map { $0["action"] as? String } == ["resolved"])
                let history = try events.history(id: Int64(eventID))
                #expect(history.audit.map(\.action) == ["created", "notice", "resolved"])
                #expect(history.audit.map(\.actor) == ["api:trigger", "schedule", "api:trigger"])
                #expect(history.audit[1].detail == "nobody is on call: no notice texted")
                #expect(history.audit.first?.detail?.contains("mx1 refuses deliveries") == true)
                #expect(history.triggers.first?.received == 3 && history.resolvedAt != nil)
                // The event page: its history, and the resolution offering what fits the state.
                let (event, _) = try events.show(id: Int64(eventID))
                var page = EventView(
                    event: EventSummary(event, preview: try events.preview(id: Int64(eventID))), deliveries: [], noDeliveries: true,
                    pace: nil, liveParts: "1,1")
                page.show(history, state: .draft)
                #expect(page.history.map(\.action) == ["created", "notice", "resolved"] && page.history.first?.actor == "api:trigger")
                #expect(page.resolvedNotice?.contains("Cancel the draft") == true)
                page.show(history, state: .active)
                #expect(page.resolvedNotice?.contains("End the event") == true)
                page.show(history, state: .ended)
                #expect(page.resolvedNotice == nil, "an ended event offers nothing more")

                // Once the draft is dismissed, the same group firing again is a new outage.
                _ = try events.cancel(id: Int64(eventID), by: "cli:ann")
                let again = try await client.execute(
                    uri: "/v1/triggers/alertmanager", method: .post, headers: fixture.headers(.trigger), body: ByteBuffer(string: Self.alertmanager()))
                let second = try #require((again.json["results"] as? [[String: Any]])?.first)
                #expect(second["action"] as? String == "drafted" && second["event_id"] as? Int != eventID)
                #expect(try events.history(id: Int64(eventID)).audit.map(\.actor) == ["api:trigger", "schedule", "api:trigger", "cli:ann"])
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func concurrentDeliveriesOfOneGroupDraftOnce(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try Self.fixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let actions = try await withThrowingTaskGroup(of: [String].self) { group in
                    for _ in 1...4 {
                        group.addTask {
                            let answer = try await client.execute(
                                uri: "/v1/triggers/alertmanager", method: .post, headers: fixture.headers(.trigger),
                                body: ByteBuffer(string: Self.alertmanager()))
                            return ((answer.json["results"] as? [[String: Any]]) ?? []).compactMap { $0["action"] as? String }
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                #expect(actions.sorted() == ["drafted", "repeated", "repeated", "repeated"])
            }
            #expect(try EventService(fixture.environment).list(state: .draft).count == 1)
        }
    }

    @Test(arguments: TestEngine.allCases) func aGenericMonitorNamesItsTemplateAndItsKey(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try Self.fixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                func send(_ body: String, to template: String = "Mail%20down") async throws -> TestResponse {
                    try await client.execute(
                        uri: "/v1/triggers/\(template)", method: .post, headers: fixture.headers(.trigger), body: ByteBuffer(string: body))
                }
                let first = try await send(#"{"event_action":"trigger","dedup_key":"kuma-42","summary":"SMTP check failed"}"#)
                #expect(first.status == .created && first.json["action"] as? String == "drafted" && first.json["dedup_key"] as? String == "kuma-42")
                let repeated = try await send(#"{"dedup_key":"kuma-42"}"#)
                #expect(repeated.status == .ok && repeated.json["action"] as? String == "repeated")
                #expect(repeated.json["event_id"] as? Int == first.json["event_id"] as? Int)
                let other = try await send(#"{}"#, to: "without%20labels")
                #expect(other.status == .created && other.json["dedup_key"] as? String == "default", "a template needs no labels to be named")
                let resolved = try await send(#"{"event_action":"resolve","dedup_key":"kuma-42"}"#)
                #expect(resolved.status == .ok && resolved.json["action"] as? String == "resolved")
                let unknown = try await send(#"{"event_action":"resolve","dedup_key":"never-sent"}"#)
                #expect(unknown.status == .ok && unknown.json["action"] as? String == "nothing_open" && unknown.json["event_id"] is NSNull)

                let missing = try await send(#"{"dedup_key":"x"}"#, to: "No%20such")
                #expect(missing.status == .notFound && (missing.json["detail"] as? String)?.contains("No such") == true)
                let long = try await send(#"{"dedup_key":"\#(String(repeating: "k", count: 1001))"}"#)
                #expect(long.status == .unprocessableContent && (long.json["detail"] as? String)?.contains("1001") == true)
                let badAction = try await send(#"{"event_action":"acknowledge"}"#)
                #expect(badAction.status == .badRequest)
            }
            #expect(try EventService(fixture.environment).list(state: .draft).count == 2)
        }
    }
}
