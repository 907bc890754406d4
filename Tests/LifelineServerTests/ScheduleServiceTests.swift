import Foundation
import LifelineServer
@testable import LifelineService
import LifelineStore
import LifelineTestSupport
import Logging
import Testing

/// The server's timed work, run as the server runs it, on a clock the test moves.
struct ScheduleServiceTests {
    @Test(arguments: TestEngine.allCases) func startsADueEventAndPurgesAtTheSetTime(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let clock = MovingClock()
            let environment = try annWithAResetCode(folder: folder, engine: engine, clock: clock, directory: "email,groups\nann@example.com,Staff\n")
            _ = try ConsentService(environment).recordAdminDecision(email: "ann@example.com", state: .optedIn, evidence: "form", actor: "admin")
            let event = try EventService(environment).create(
                EventDraft(name: "Move", group: "Staff", startMessage: "{event} starts", endMessage: "over",
                           startsAt: clock.now().addingTimeInterval(30)), by: "test")
            let purgeAt = try oneMinuteAhead(of: clock)

            let threads = DatabaseThreads()
            let (service, passStream) = schedule(environment, on: threads, purgeAt: purgeAt, keptPasses: 4)
            let running = Task { try await service.run() }
            func requests() throws -> Int64 {
                let connection = try environment.database.settings.openCurrent()
                defer { connection.close() }
                return try connection.queryFirst("SELECT count(*) FROM verification_requests") { $0.int64(at: 0) } ?? -1
            }
            func state() throws -> EventState { try EventService(environment).show(id: event).event.state }

            // Two whole passes, so one began after the service started: nothing was due in it.
            var passes = passStream.makeAsyncIterator()
            _ = await passes.next()
            _ = await passes.next()
            #expect(try state() == .draft && requests() == 1, "nothing is due yet")
            clock.advance(by: 30)
            try await waitUntil { try state() == .active }
            #expect(try requests() == 1, "the purge waits for its time")
            // Two days on: the code ended long ago, and the purge time has passed.
            clock.advance(by: 2 * 86_400)
            try await waitUntil { try requests() == 0 }
            running.cancel()
            try await running.value
            try await threads.shutdown()
        }
    }

    /// A draft monitoring made: the schedule texts the on-call reminder after 30 minutes and
    /// starts the event when its template's automatic start comes.
    @Test(arguments: TestEngine.allCases) func remindsTheOnCallAndStartsADraftByItself(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let clock = MovingClock()
            let environment = try annWithAResetCode(folder: folder, engine: engine, clock: clock, directory: "email,groups\nann@example.com,Staff\n")
            _ = try ConsentService(environment).recordAdminDecision(email: "ann@example.com", state: .optedIn, evidence: "form", actor: "admin")
            _ = try ConsoleAccounts(environment).grant(email: "ann@example.com", role: .operator, onCall: true, actor: "test")
            var template = TemplateDraft(name: "Mail down", group: "Staff", startMessage: "Mail is down.", endMessage: "Mail is back.")
            template.triggerLabels = ["alertname": "MailDown"]
            template.autoStartAfter = 45
            _ = try EventTemplates(environment).create(template)
            let notification = MonitorNotification(
                source: .generic, dedupKey: "default", status: .firing, alertLabels: [], summary: nil)
            let event = try #require(try EventTriggers(environment).receive(notification, template: "Mail down", by: "api:monitor").eventID)
            func rounds() throws -> Int { try OnCallNotices(environment, publicURL: nil).notice(eventID: event)?.rounds ?? -1 }
            func state() throws -> EventState { try EventService(environment).show(id: event).event.state }

            let threads = DatabaseThreads()
            let (service, passStream) = schedule(environment, on: threads, purgeAt: try oneMinuteAhead(of: clock), keptPasses: 4)
            let running = Task { try await service.run() }
            var passes = passStream.makeAsyncIterator()
            _ = await passes.next()
            _ = await passes.next()
            #expect(try rounds() == 1 && state() == .draft, "the first notice went with the draft; nothing else is due")
            clock.advance(by: 30 * 60)
            try await waitUntil { try rounds() == 2 }
            #expect(try state() == .draft)
            clock.advance(by: 15 * 60)
            try await waitUntil { try state() == .active }
            #expect(try EventService(environment).history(id: event).audit.last.map { "\($0.action) by \($0.actor)" } == "started by schedule")
            running.cancel()
            try await running.value
            try await threads.shutdown()
        }
    }

    /// A purge that fails (here its table is briefly out of reach, as in a failover) is tried
    /// again a minute later, not the next night.
    @Test(arguments: TestEngine.allCases) func aFailedPurgeIsTriedAgainAMinuteLater(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let clock = MovingClock()
            let environment = try annWithAResetCode(folder: folder, engine: engine, clock: clock, directory: "email,mobile\nann@example.com,447700900001\n")
            let purgeAt = try oneMinuteAhead(of: clock)
            let connection = try environment.database.settings.openCurrent()
            defer { connection.close() }
            func requests() throws -> Int64 {
                try connection.queryFirst("SELECT count(*) FROM verification_requests") { $0.int64(at: 0) } ?? -1
            }

            let threads = DatabaseThreads()
            let (service, passStream) = schedule(environment, on: threads, purgeAt: purgeAt, keptPasses: 1)
            var passes = passStream.makeAsyncIterator()
            let running = Task { try await service.run() }
            _ = await passes.next()

            try connection.execute("ALTER TABLE verification_requests RENAME TO verification_requests_away")
            clock.advance(by: 2 * 86_400)
            // One pass may be buffered and the next may have begun before the move: the third
            // began after it, found the purge due, and failed.
            _ = await passes.next()
            _ = await passes.next()
            _ = await passes.next()
            try connection.execute("ALTER TABLE verification_requests_away RENAME TO verification_requests")
            _ = await passes.next()
            _ = await passes.next()
            #expect(try requests() == 1, "not retried at once")
            clock.advance(by: 61)
            try await waitUntil { try requests() == 0 }
            running.cancel()
            try await running.value
            try await threads.shutdown()
        }
    }

    /// A server's environment on `clock` with `directory` imported, whose Ann has asked for a
    /// reset code: the row a purge takes once it ended a day before.
    private func annWithAResetCode(folder: String, engine: TestEngine, clock: MovingClock, directory: String) throws -> LifelineEnvironment {
        let environment = try ServerFixture(folder: folder, engine: engine, clock: clock).environment
        try Data(directory.utf8).write(to: URL(fileURLWithPath: folder + "/g.csv"))
        _ = try DirectoryImporter(environment).importUsers(from: .file(path: folder + "/g.csv"), path: "g.csv", options: ImportOptions())
        _ = try VerificationService(environment).request(email: "ann@example.com", purpose: .passwordReset)
        return environment
    }

    /// The schedule as the server runs it, passing every 10 ms, and its passes as they end (the
    /// latest `keptPasses` kept for a reader that is behind).
    private func schedule(
        _ environment: LifelineEnvironment, on threads: DatabaseThreads, purgeAt: TimeOfDay, keptPasses: Int
    ) -> (ScheduleService, AsyncStream<Void>) {
        let (passStream, passed) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(keptPasses))
        let service = ScheduleService(
            environment: environment, writer: threads.places.writing, background: threads.places.reading, purgeAt: purgeAt,
            interval: .milliseconds(10), logger: Logger(label: "test"), onPass: { passed.yield() })
        return (service, passStream)
    }

    /// The time of day one minute after the clock's now, on the local clock.
    private func oneMinuteAhead(of clock: MovingClock) throws -> TimeOfDay {
        var seconds = time_t(clock.now().timeIntervalSince1970 + 60)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return try #require(TimeOfDay(String(format: "%02d:%02d", parts.tm_hour, parts.tm_min)))
    }

    /// Polls without blocking a thread, for up to ten seconds.
    private func waitUntil(_ condition: () throws -> Bool) async throws {
        for _ in 0..<1_000 {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("the condition did not hold within ten seconds")
    }
}
