import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

/// Telling the on-call: a drafted event texts everyone on call a signed single-use link, again
/// every 30 minutes until someone decides, and a template may start it by itself.
struct OnCallNoticesTests {
    static let publicURL = "https://lifeline.example.org/"

    /// Ann (admin) and Bob (operator) on call, Hal (operator) not; a template for Staff that
    /// alerts labelled MailDown draft, starting by itself after `autoStart` minutes.
    struct Setup {
        let events: EventFixture
        let environment: LifelineEnvironment
        let folder: String

        init(folder: String, engine: TestEngine, autoStart: Int? = 90) throws {
            events = try EventFixture(folder: folder, engine: engine)
            environment = .testing(events.fixture.settings, clock: events.clock)
            self.folder = folder
            let accounts = ConsoleAccounts(environment)
            _ = try accounts.grant(email: "ann@example.com", role: .admin, onCall: true, actor: "test")
            _ = try accounts.grant(email: "bob@example.com", role: .operator, actor: "test")
            try accounts.setOnCall(email: "bob@example.com", true)
            _ = try accounts.grant(email: "hal@example.com", role: .operator, onCall: false, actor: "test")
            var template = TemplateDraft(name: "Mail down", group: "Staff", startMessage: "Email is down.", endMessage: "Email is back.")
            template.triggerLabels = ["alertname": "MailDown"]
            template.autoStartAfter = autoStart
            _ = try EventTemplates(environment).create(template)
        }

        var notices: OnCallNotices { OnCallNotices(environment, publicURL: OnCallNoticesTests.publicURL) }

        /// An Alertmanager-style notification for the MailDown alert group.
        func fire(_ status: MonitorNotification.Status = .firing) throws -> Int64? {
            let notification = MonitorNotification(
                source: .alertmanager, dedupKey: "{}:{alertname=\"MailDown\"}", status: status,
                alertLabels: [["alertname": "MailDown"]], summary: "mail queue stuck")
            let outcomes = try EventTriggers(environment, publicURL: OnCallNoticesTests.publicURL).receive(notification, by: "api:prometheus")
            return outcomes.first?.eventID
        }

        /// Sends what is queued through the file gateway; the notices sent so far, oldest first.
        func sentNotices() async throws -> [(to: String, body: String)] {
            _ = try await OutboxDispatcher(environment).dispatch(through: FileGateway(path: folder + "/phone.jsonl", clock: events.clock))
            let text = (try? String(contentsOfFile: folder + "/phone.jsonl", encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                guard let fields = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    fields["kind"] as? String == "on_call_notice"
                else { return nil }
                return (fields["to"] as? String ?? "", fields["body"] as? String ?? "")
            }
        }

        func audit(_ id: Int64) throws -> [String] {
            try EventService(environment).history(id: id).audit.map { "\($0.action) by \($0.actor)" }
        }
    }

    static func token(in body: String) throws -> String {
        let range = try #require(body.range(of: OnCallNotices.linkPath))
        return String(body[range.upperBound...].prefix { !$0.isWhitespace })
    }

    @Test(arguments: TestEngine.allCases) func theOnCallAreTextedALinkRemindedEvery30MinutesAndTheEventStartsByItself(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try Setup(folder: folder, engine: engine)
            let id = try #require(try setup.fire())
            #expect(try setup.fire() == id, "a repeat of the alert group drafts nothing and texts nobody again")
            var sent = try await setup.sentNotices()
            #expect(sent.map(\.to) == ["447700900001", "447700900002"], "Ann and Bob are on call; Hal is not")
            let first = try #require(sent.first)
            #expect(first.body.hasPrefix("Lifeline on call: monitoring drafted the event \"Mail down "))
            #expect(first.body.contains("Review and start it: https://lifeline.example.org/console/notice/"))
            #expect(first.body.contains("It starts by itself at "))
            let stored = try OutboxStore(connection: setup.events.fixture.connection()).messages(to: "447700900001")
            #expect(stored.allSatisfy { !$0.body.contains("/console/notice/") && $0.program == .service }, "the link is sealed, and in the priority lane")
            #expect(try setup.audit(id).contains("notice by schedule"))

            // Nothing more before 30 minutes; then one round, once however often the schedule runs.
            setup.events.clock.advance(by: 29 * 60)
            #expect(try setup.notices.runDue().isEmpty)
            setup.events.clock.advance(by: 60)
            #expect(try setup.notices.runDue().map(\.step) == [.reminded(round: 2)])
            #expect(try setup.notices.runDue().isEmpty)
            sent = try await setup.sentNotices()
            #expect(sent.count == 4 && sent[2].body.hasPrefix("Lifeline on call, reminder 1: the event \"Mail down "))

            // Ann follows her first link: once, and then no more; an altered one is refused.
            let token = try Self.token(in: first.body)
            #expect(try setup.notices.follow(token: token, by: "console:ann@example.com") == .confirm(eventID: id))
            guard case .alreadyUsed(id, _, "console:ann@example.com") = try setup.notices.follow(token: token, by: "console:bob@example.com") else {
                Issue.record("a used link must say so")
                return
            }
            let altered = String(token.dropLast()) + (token.last == "0" ? "1" : "0")
            #expect(try setup.notices.follow(token: altered, by: "console:ann@example.com") == .invalid)
            #expect(try setup.notices.follow(token: "1-xyz", by: "console:ann@example.com") == .invalid)

            // Nobody starts it: after 90 minutes it starts by itself, and the notices stop.
            setup.events.clock.advance(by: 30 * 60)
            #expect(try setup.notices.runDue().map(\.step) == [.reminded(round: 3)])
            #expect(try await setup.sentNotices().count == 6)
            setup.events.clock.advance(by: 30 * 60)
            #expect(try setup.notices.runDue().map(\.step) == [.autoStarted(queued: 2)])
            #expect(try setup.events.events.show(id: id).event.state == .active)
            #expect(try setup.notices.notice(eventID: id)?.closedReason == "started")
            setup.events.clock.advance(by: 30 * 60)
            #expect(try setup.notices.runDue().isEmpty)
            #expect(try await setup.sentNotices().count == 6, "no notice after the start")
            let audit = try setup.audit(id)
            #expect(audit.contains("notice reminder 2 by schedule") && audit.contains("notice link followed by console:ann@example.com"))
            #expect(audit.last == "started by schedule")
            // Bob's link from the first round: the event is decided.
            let bobs = try Self.token(in: sent[1].body)
            #expect(try setup.notices.follow(token: bobs, by: "console:bob@example.com") == .decided(eventID: id, state: .active))
        }
    }

    @Test(arguments: TestEngine.allCases) func dismissingStopsTheNoticesAndALinkExpiresAfterADay(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try Setup(folder: folder, engine: engine)
            let dismissed = try #require(try setup.fire())
            #expect(try setup.notices.dismiss(eventID: dismissed, by: "console:ann@example.com"))
            #expect(try !setup.notices.dismiss(eventID: dismissed, by: "console:ann@example.com"), "once")
            _ = try EventService(setup.environment).cancel(id: dismissed, by: "test")
            // Fired again: a new draft, whose links expire after 24 hours and whose notices stop.
            let second = try #require(try setup.fire())
            #expect(second != dismissed)
            try ConsoleAccounts(setup.environment).setOnCall(email: "bob@example.com", false)
            _ = try await setup.sentNotices()
            try setup.events.fixture.connection().execute("UPDATE event_notices SET auto_start_at = NULL")
            setup.events.clock.advance(by: 30 * 60)
            #expect(try setup.notices.runDue().map(\.step) == [.reminded(round: 2)])
            let sent = try await setup.sentNotices()
            #expect(sent.suffix(1).map(\.to) == ["447700900001"], "Bob has stopped his notices")
            let token = try Self.token(in: sent.last!.body)
            setup.events.clock.advance(by: 24 * 3600)
            #expect(try setup.notices.follow(token: token, by: "console:ann@example.com") == .expired(eventID: second))
            #expect(try setup.notices.runDue().map(\.step) == [.reminded(round: 3)], "a day on, still reminded, with a fresh link")
            let fresh = try Self.token(in: try #require(try await setup.sentNotices().last).body)
            #expect(try setup.notices.follow(token: fresh, by: "console:ann@example.com") == .confirm(eventID: second))
            #expect(try setup.audit(dismissed).contains("notices dismissed by console:ann@example.com"))
            #expect(try setup.notices.notice(eventID: dismissed)?.closedReason == "dismissed")
            #expect(try await setup.sentNotices().count == 6, "two for each draft, then reminders to Ann alone, none for the dismissed draft")
        }
    }

    @Test(arguments: TestEngine.allCases) func aCancelledDraftStopsItsRemindersAndNobodyOnCallIsAudited(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try Setup(folder: folder, engine: engine, autoStart: nil)
            let accounts = ConsoleAccounts(setup.environment)
            try accounts.setOnCall(email: "ann@example.com", false)
            try accounts.setOnCall(email: "bob@example.com", false)
            let id = try #require(try setup.fire())
            #expect(try await setup.sentNotices().isEmpty)
            #expect(try EventService(setup.environment).history(id: id).audit.contains { $0.detail == "nobody is on call: no notice texted" })
            _ = try EventService(setup.environment).cancel(id: id, by: "console:ann@example.com")
            setup.events.clock.advance(by: 30 * 60)
            #expect(try setup.notices.runDue().map(\.step) == [.stopped(reason: "cancelled")])
            #expect(try setup.notices.runDue().isEmpty)
        }
    }

    @Test(arguments: TestEngine.allCases) func anAutomaticStartThatFailsIsAuditedOnceAndTheRemindersGoOn(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try Setup(folder: folder, engine: engine, autoStart: 10)
            let id = try #require(try setup.fire())
            // Without the SMS attribute nobody has a number: the start cannot be made.
            try setup.events.fixture.connection().execute("DELETE FROM settings WHERE key = ?", SMSSettings.attributeKey)
            setup.events.clock.advance(by: 10 * 60)
            let failed = try setup.notices.runDue()
            guard case .autoStartFailed(let message)? = failed.first?.step, failed.count == 1 else {
                Issue.record("expected one failed automatic start, got \(failed)")
                return
            }
            #expect(message.contains("SMS attribute"))
            #expect(try setup.notices.runDue().isEmpty, "not tried again")
            setup.events.clock.advance(by: 20 * 60)
            #expect(try setup.notices.runDue().map(\.step) == [.reminded(round: 2)], "a person decides: the reminders go on")
            #expect(try setup.events.events.show(id: id).event.state == .draft)
            #expect(try setup.audit(id).filter { $0.hasPrefix("auto start failed") } == ["auto start failed by schedule"])
        }
    }

    @Test func noticesWithoutAPublicURLSayWhereToGo() throws {
        let notices = OnCallNotices(.testing(DatabaseSettings(path: "/nonexistent/never-opened.db")), publicURL: nil)
        let text = notices.message(round: 1, eventName: "Mail down", eventID: 7, token: "7-ab", autoStartAt: Date(timeIntervalSince1970: 3_600 * 21 + 60 * 5))
        #expect(text == "Lifeline on call: monitoring drafted the event \"Mail down\". Sign in to the console to start it (event 7). It starts by itself at 21:05 UTC.")
        #expect(OnCallNotices.isLinkToken("12-0123456789abcdef0123456789abcdef"))
        for bad in ["12-0123456789ABCDEF0123456789abcdef", "x-0123456789abcdef0123456789abcdef", "12-abc", "/evil", "12-0123456789abcdef0123456789abcdef-1"] {
            #expect(!OnCallNotices.isLinkToken(bad), "\(bad)")
        }
    }
}
