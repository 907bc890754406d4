import Foundation
import LifelineStore
import LifelineTestSupport
import Synchronization
import Testing

@testable import LifelineService

/// A place that records what ran there, and can hold its work at a gate until the test opens it.
final class GatedWork: BlockingWork {
    private let state = Mutex<(runs: Int, open: Bool, waiters: [CheckedContinuation<Void, Never>])>((0, true, []))
    private let (entries, entered) = AsyncStream.makeStream(of: Void.self)

    init(closed: Bool = false) {
        state.withLock { $0.open = !closed }
    }

    var runs: Int { state.withLock { $0.runs } }

    /// Waits until some work has reached the gate.
    func waitForEntry() async {
        var iterator = entries.makeAsyncIterator()
        _ = await iterator.next()
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        state.withLock { $0.runs += 1 }
        entered.yield()
        await withCheckedContinuation { continuation in
            let isOpen = state.withLock { state in
                if !state.open { state.waiters.append(continuation) }
                return state.open
            }
            if isOpen { continuation.resume() }
        }
        return try work()
    }
}

/// Password hashing runs in the computing place, never inside a write: a sign-in or a reset
/// parked at its hashing step leaves the writer free.
struct WorkPlacesTests {
    @Test(.timeLimit(.minutes(1)), arguments: TestEngine.allCases, ["ann@example.com", "nobody@example.com"])
    func aSignInHashesOutsideTheWriter(engine: TestEngine, email: String) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try AccountFixture(folder: folder, engine: engine)
            try setup.setPassword("ann@example.com", "Tulip-Harbour-7")
            let (reading, computing, writing) = (GatedWork(), GatedWork(closed: true), GatedWork())
            let places = WorkPlaces(reading: reading, computing: computing, writing: writing)
            let logins = setup.logins
            let outcome = Task { try await logins.check(email: email, password: "Tulip-Harbour-7", on: places) }
            await computing.waitForEntry()
            // The sign-in is inside its hashing step; the writer has run nothing of it yet.
            #expect(writing.runs == 0 && reading.runs == 1)
            computing.open()
            let result = try await outcome.value
            #expect(result == (email == "ann@example.com" ? .authenticated : .invalidCredentials))
            #expect(computing.runs == 1, "an unknown email is hashed (against the decoy) like a known one")
            #expect(writing.runs == 1)
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: TestEngine.allCases)
    func aResetCompletionHashesOutsideTheWriterAndEndsTheUsersSessions(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try AccountFixture(folder: folder, engine: engine)
            try setup.useProfile(reset: .sms)
            let sessions = WebSessions(.testing(setup.fixture.settings, clock: setup.clock))
            let portal = try sessions.begin(area: .portal, email: "ann@example.com", stage: .signedIn, replacing: nil)
            let id = try setup.resets.start(email: "ann@example.com", method: .sms)
            let code = try #require(try await setup.deliver().last?.code)
            #expect(try setup.resets.verify(requestID: id, code: code) == .approved)
            let (reading, computing, writing) = (GatedWork(), GatedWork(closed: true), GatedWork())
            let places = WorkPlaces(reading: reading, computing: computing, writing: writing)
            let resets = setup.resets
            let completion = Task { try await resets.complete(requestID: id, password: "Tulip-Harbour-9", on: places) }
            await computing.waitForEntry()
            #expect(writing.runs == 0)
            computing.open()
            try await completion.value
            #expect(writing.runs == 1)
            #expect(try sessions.lookUp(token: portal, area: .portal).session == nil, "a new password signs the old sessions out")
        }
    }

    @Test(arguments: TestEngine.allCases) func aSessionEndsAtItsAbsoluteLifetimeHoweverBusy(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try AccountFixture(folder: folder, engine: engine)
            let sessions = WebSessions(.testing(setup.fixture.settings, clock: setup.clock))
            let token = try sessions.begin(area: .console, email: "ann@example.com", stage: .signedIn, replacing: nil)
            var elapsed: TimeInterval = 0
            while elapsed + 20 * 60 < WebSessions.absoluteLifetime {
                setup.clock.advance(by: 20 * 60)
                elapsed += 20 * 60
                let (session, upkeep) = try sessions.lookUp(token: token, area: .console)
                #expect(session != nil)
                try sessions.keep(token: token, upkeep)
            }
            setup.clock.advance(by: WebSessions.absoluteLifetime - elapsed + 1)
            #expect(try sessions.lookUp(token: token, area: .console).session == nil)
            #expect(try sessions.purge().sessions == 1)
        }
    }

    @Test(arguments: TestEngine.allCases) func changingOrRevokingAConsoleRoleEndsTheUsersSessions(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try AccountFixture(folder: folder, engine: engine)
            let environment = LifelineEnvironment.testing(setup.fixture.settings, clock: setup.clock)
            let sessions = WebSessions(environment)
            let accounts = ConsoleAccounts(environment)
            _ = try accounts.grant(email: "ann@example.com", role: .admin, actor: "test")
            let first = try sessions.begin(area: .console, email: "ann@example.com", stage: .signedIn, replacing: nil)
            _ = try accounts.grant(email: "ann@example.com", role: .admin, actor: "test")
            #expect(try sessions.lookUp(token: first, area: .console).session != nil, "granting the same role again changes nothing")
            _ = try accounts.grant(email: "ann@example.com", role: .operator, actor: "test")
            #expect(try sessions.lookUp(token: first, area: .console).session == nil)
            let second = try sessions.begin(area: .console, email: "ann@example.com", stage: .signedIn, replacing: nil)
            try accounts.revoke(email: "ann@example.com")
            #expect(try sessions.lookUp(token: second, area: .console).session == nil)
        }
    }
}
