import Foundation
import Synchronization
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

/// A directory with consent in every state the audience rules distinguish, and an event on it.
struct EventFixture {
    static let directory = """
        email,name,mobile,groups
        ann@example.com,Ann,447700900001,Staff
        bob@example.com,Bob,447700900002,Staff
        cat@example.com,Cat,447700900003,Staff
        dan@example.com,Dan,447700900004,Staff
        eve@example.com,Eve,,Staff
        fay@example.com,Fay,12,Staff
        gus@example.com,Gus,447700900007,Staff
        hal@example.com,Hal,447700900008,Ops

        """

    let fixture: DirectoryFixture
    let clock: MovingClock
    let consent: ConsentService
    let events: EventService

    init(folder: String, engine: TestEngine) throws {
        fixture = try DirectoryFixture(folder: folder, engine: engine)
        try fixture.importCSV(Self.directory)
        try SMSNumbers(.testing(fixture.settings)).setAttribute(named: "mobile")
        clock = MovingClock()
        consent = ConsentService(.testing(fixture.settings, clock: clock))
        events = EventService(.testing(fixture.settings, clock: clock))
        // Ann, Bob and Gus opted in; Cat pending; Dan opted out; Eve and Fay have no usable
        // number; Gus is then disabled; Hal is opted in but not in the group.
        for email in ["ann@example.com", "bob@example.com", "gus@example.com", "hal@example.com", "dan@example.com"] {
            _ = try consent.recordAdminDecision(email: email, state: .optedIn, evidence: "signed form", actor: "admin")
        }
        _ = try consent.requestOptIn(email: "cat@example.com", source: .portal, actor: "portal")
        _ = try consent.handleInbound(from: "447700900004", text: "STOP")
        let connection = try fixture.connection()
        try connection.execute("UPDATE users SET status = 'disabled' WHERE email = 'gus@example.com'")
    }

    func createEvent(start: String = "Email is down ({event}), {name}.", end: String = "{event} is over.") throws -> Int64 {
        try events.create(EventDraft(name: "Mail outage", group: "Staff", startMessage: start, endMessage: end), by: "test")
    }

    /// The event's alerts: kind and destination, in id order.
    func alerts(_ id: Int64) throws -> [(kind: String, destination: String, body: String, status: String)] {
        var result: [(String, String, String, String)] = []
        try OutboxStore(connection: fixture.connection()).forEachMessage(status: nil, eventID: id) {
            result.append(($0.kind, $0.destination, $0.body, $0.status.rawValue))
        }
        return result
    }
}

struct EventServiceTests {
    @Test(arguments: TestEngine.allCases) func unknownPlaceholdersAreRefusedAtCreateTime(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try EventFixture(folder: folder, engine: engine)
            #expect(throws: EventFailure.unknownPlaceholder(field: "the start message", placeholder: "nmae")) {
                try setup.createEvent(start: "Hello {nmae}")
            }
            #expect(throws: EventFailure.unknownPlaceholder(field: "the end message", placeholder: "date")) {
                try setup.createEvent(end: "Over at {date}")
            }
            #expect(throws: EventFailure.emptyMessage(field: "the start message")) { try setup.createEvent(start: "  ") }
            // Braces that are not a placeholder are text.
            #expect(try setup.createEvent(start: "Use {} or { name } in chat; {event}") > 0)
            #expect(throws: EventFailure.notesTooLong(length: 501)) {
                try setup.events.create(
                    EventDraft(name: "x", group: "Staff", startMessage: "a", endMessage: "b", notes: String(repeating: "n", count: 501)), by: "test")
            }
            #expect(throws: DirectoryFailure.self) {
                try setup.events.create(EventDraft(name: "x", group: "Nobody", startMessage: "a", endMessage: "b"), by: "test")
            }
        }
    }

    @Test func placeholdersFillInOnceAndANameCannotInjectOne() throws {
        let template = try AlertTemplate("{name}: {event} started. Bye {name}", field: "m")
        #expect(template.rendered(eventName: "Outage {name}", recipientName: "Zoë {event}")
            == "Zoë {event}: Outage {name} started. Bye Zoë {event}")
    }

    @Test(arguments: TestEngine.allCases) func previewCountsRecipientsAndEverySkipReason(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try EventFixture(folder: folder, engine: engine)
            let id = try setup.createEvent()
            let preview = try setup.events.preview(id: id)
            #expect(preview.recipients == 2)
            #expect(preview.skipped == [
                "not_opted_in": 0, "pending": 1, "opted_out": 1, "no_number": 1, "invalid_number": 1, "fixable_number": 0,
                "disabled": 1,
            ])
            #expect(preview.startMessage.encoding == .gsm7 && preview.startMessage.segments == 1)
            #expect(try setup.alerts(id).isEmpty, "a preview queues nothing")
        }
    }

    @Test(arguments: TestEngine.allCases) func startQueuesOnlyOptedInActiveMembersOnceEvenWhenRepeated(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try EventFixture(folder: folder, engine: engine)
            let id = try setup.createEvent()
            let first = try setup.events.start(id: id, by: "test")
            #expect(first == EventTransitionOutcome(eventID: id, state: .active, queued: 2, alreadyDone: false))
            #expect(try setup.alerts(id).map(\.destination) == ["447700900001", "447700900002"])
            #expect(try setup.alerts(id).map(\.body) == ["Email is down (Mail outage), Ann.", "Email is down (Mail outage), Bob."])
            #expect(try setup.events.start(id: id, by: "test") == EventTransitionOutcome(eventID: id, state: .active, queued: 0, alreadyDone: true))
            #expect(try setup.alerts(id).count == 2)
        }
    }

    @Test(arguments: TestEngine.allCases) func endReevaluatesTheAudienceSoAStopDuringTheOutageGetsNoEndAlert(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try EventFixture(folder: folder, engine: engine)
            let id = try setup.createEvent()
            _ = try setup.events.start(id: id, by: "test")
            _ = try setup.consent.handleInbound(from: "+44 7700 900002", text: "stop")
            let ended = try setup.events.end(id: id, by: "test")
            #expect(ended.queued == 1)
            #expect(try setup.alerts(id).filter { $0.kind == "event_end" }.map(\.destination) == ["447700900001"])
            #expect(try setup.events.end(id: id, by: "test").alreadyDone)
            #expect(try setup.events.start(id: id, by: "test").alreadyDone, "starting an ended event queues nothing")
            let shown = try setup.events.show(id: id)
            #expect(shown.event.state == .ended && shown.event.record.endedAt != nil)
        }
    }

    @Test(arguments: TestEngine.allCases) func illegalTransitionsAreClearErrors(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try EventFixture(folder: folder, engine: engine)
            let id = try setup.createEvent()
            #expect(throws: EventFailure.illegalTransition(id: id, state: .draft, action: "ended")) { try setup.events.end(id: id, by: "test") }
            _ = try setup.events.cancel(id: id, by: "test")
            #expect(throws: EventFailure.illegalTransition(id: id, state: .cancelled, action: "started")) {
                try setup.events.start(id: id, by: "test")
            }
            #expect(throws: EventFailure.eventNotFound(999)) { try setup.events.start(id: 999, by: "test") }
            #expect(try setup.alerts(id).isEmpty)
        }
    }

    @Test(arguments: TestEngine.allCases) func theSchemaRefusesASecondAlertPerEventRecipientAndPhase(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try EventFixture(folder: folder, engine: engine)
            let id = try setup.createEvent()
            _ = try setup.events.start(id: id, by: "test")
            let connection = try setup.fixture.connection()
            let error = #expect(throws: (any Error).self) {
                try connection.execute(
                    """
                    INSERT INTO outbox (channel, destination, body, kind, program, event_id, user_id, next_attempt_at, created_at, updated_at)
                    SELECT channel, destination, body, kind, program, event_id, user_id, 0, 0, 0 FROM outbox WHERE event_id = ? LIMIT 1
                    """, id)
            }
            #expect((error as? any SQLEngineError)?.isConstraintViolation == true, "\(String(describing: error))")
        }
    }

    @Test(arguments: TestEngine.allCases) func twoProcessesStartingAtOnceFanOutOnce(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try EventFixture(folder: folder, engine: engine)
            let id = try setup.createEvent()
            let settings = setup.fixture.settings
            let outcomes = Mutex<[EventTransitionOutcome]>([])
            await onOwnThread {
                DispatchQueue.concurrentPerform(iterations: 4) { _ in
                    if let outcome = try? EventService(.testing(settings)).start(id: id, by: "test") {
                        outcomes.withLock { $0.append(outcome) }
                    }
                }
            }
            let all = outcomes.withLock { $0 }
            #expect(all.count == 4)
            #expect(all.filter { !$0.alreadyDone }.count == 1)
            #expect(all.map(\.queued).reduce(0, +) == 2)
            #expect(try setup.alerts(id).count == 2)
        }
    }

    @Test(arguments: TestEngine.allCases) func scheduledEventsStartAndEndOnceAtTheirTimesEvenWithTwoServers(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try EventFixture(folder: folder, engine: engine)
            let now = setup.clock.now()
            let scheduled = try setup.events.create(
                EventDraft(
                    name: "Planned mail move", group: "Staff", kind: .planned, startMessage: "{event} starts.",
                    endMessage: "{event} is over.", startsAt: now.addingTimeInterval(60), endsAt: now.addingTimeInterval(120)), by: "test")
            let unscheduled = try setup.createEvent()
            let cancelled = try setup.events.create(
                EventDraft(name: "Called off", group: "Staff", startMessage: "a", endMessage: "b", startsAt: now.addingTimeInterval(30)), by: "test")
            _ = try setup.events.cancel(id: cancelled, by: "test")
            #expect(try setup.events.runSchedule().isEmpty, "nothing is due yet")

            setup.clock.advance(by: 60)
            let settings = setup.fixture.settings
            let clock = setup.clock
            let moved = Mutex<[EventTransitionOutcome]>([])
            await onOwnThread {
                // Two servers' schedulers checking at the same moment.
                DispatchQueue.concurrentPerform(iterations: 2) { _ in
                    let results = (try? EventService(.testing(settings, clock: clock)).runSchedule()) ?? []
                    for (_, outcome) in results { if let done = try? outcome.get() { moved.withLock { $0.append(done) } } }
                }
            }
            let starts = moved.withLock { $0 }
            #expect(starts.allSatisfy { $0.eventID == scheduled })
            #expect(starts.filter { !$0.alreadyDone }.count == 1 && starts.map(\.queued).reduce(0, +) == 2)
            #expect(try setup.alerts(scheduled).map(\.kind) == ["event_start", "event_start"])
            #expect(try setup.events.show(id: unscheduled).event.state == .draft)
            #expect(try setup.events.show(id: cancelled).event.state == .cancelled)

            setup.clock.advance(by: 60)
            let ends = try setup.events.runSchedule()
            #expect(ends.count == 1)
            #expect(try ends[0].outcome.get().state == .ended)
            #expect(try setup.alerts(scheduled).filter { $0.kind == "event_end" }.count == 2)
            #expect(try setup.events.runSchedule().isEmpty, "an ended event is not due again")
        }
    }

    @Test(arguments: TestEngine.allCases) func aScheduledEventThatCannotStartIsReportedNotThrown(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try EventFixture(folder: folder, engine: engine)
            let now = setup.clock.now()
            for name in ["One", "Two"] {
                _ = try setup.events.create(EventDraft(name: name, group: "Staff", startMessage: "a", endMessage: "b", startsAt: now), by: "test")
            }
            // Without an SMS attribute no event can start; each says so, and stays a draft.
            try setup.fixture.connection().execute("DELETE FROM settings WHERE key = 'sms.attribute'")
            let results = try setup.events.runSchedule()
            #expect(results.count == 2)
            for (id, outcome) in results {
                #expect(throws: DirectoryFailure.noSMSAttribute) { try outcome.get() }
                #expect(try setup.events.show(id: id).event.state == .draft)
            }
        }
    }
}
