import Foundation
import LifelineStore
import LifelineTestSupport
import Synchronization
import Testing

@testable import LifelineService

/// A gateway that answers from a script and records what it was handed.
final class ScriptedGateway: MessageGateway, Sendable {
    let name: String
    private let state: Mutex<(sent: [GatewayMessage], script: [GatewayOutcome])>
    /// Called with each message as it is sent, before the outcome is returned.
    private let inspect: @Sendable (GatewayMessage) -> Void

    init(name: String = "scripted", script: [GatewayOutcome] = [], inspect: @escaping @Sendable (GatewayMessage) -> Void = { _ in }) {
        self.name = name
        state = Mutex(([], script))
        self.inspect = inspect
    }

    var received: [GatewayMessage] { state.withLock { $0.sent } }

    /// Answers `outcome` to every message from now on (an empty script sends).
    func answerAlways(_ outcome: GatewayOutcome?) {
        state.withLock { $0.script = outcome.map { Array(repeating: $0, count: 100_000) } ?? [] }
    }

    func send(_ messages: [GatewayMessage]) throws -> [GatewayOutcome] {
        messages.map { message in
            inspect(message)
            return state.withLock { state in
                state.sent.append(message)
                return state.script.isEmpty ? .sent(providerID: "p-\(message.id)") : state.script.removeFirst()
            }
        }
    }
}

/// A gateway that is down.
struct DownGateway: MessageGateway {
    let name = "down"
    func send(_ messages: [GatewayMessage]) throws -> [GatewayOutcome] {
        throw GatewayFailure.unavailable(gateway: name, reason: "connection refused")
    }
}

extension EventFixture {
    /// A dispatcher on the fixture's clock, with jitter at its midpoint.
    func dispatcher() -> OutboxDispatcher {
        OutboxDispatcher(.testing(fixture.settings, clock: clock, random: MidpointRandom()))
    }

    /// The fixture with its consent replies sent, so the outbox holds only a started event's alerts.
    static func withStartedEvent(folder: String, engine: TestEngine) async throws -> (EventFixture, Int64) {
        let setup = try EventFixture(folder: folder, engine: engine)
        _ = try await setup.dispatcher().dispatch(through: ScriptedGateway())
        let id = try setup.createEvent()
        _ = try setup.events.start(id: id, by: "test")
        return (setup, id)
    }
}

struct OutboxDispatcherTests {
    private func started(_ folder: String, engine: TestEngine) async throws -> (EventFixture, Int64) {
        try await EventFixture.withStartedEvent(folder: folder, engine: engine)
    }

    private func dispatcher(_ setup: EventFixture) -> OutboxDispatcher {
        setup.dispatcher()
    }

    private func message(_ setup: EventFixture, _ id: Int64) throws -> (status: String, attempts: Int, lastError: String?, providerID: String?) {
        try #require(try OutboxStore(connection: setup.fixture.connection()).state(id: id))
    }

    /// A run that began before the key file existed (or before `secret rotate`) still opens a
    /// code queued meanwhile: the sealer is read again when a body does not open with it.
    @Test(arguments: TestEngine.allCases, [false, true])
    func aCodeQueuedDuringARunIsSentEvenIfTheKeyWasCreatedOrRotatedMeanwhile(engine: TestEngine, rotate: Bool) async throws {
        try await withTemporaryDirectory { folder in
            let (setup, _) = try await started(folder, engine: engine)
            var environment = LifelineEnvironment.testing(setup.fixture.settings, clock: setup.clock)
            environment.secret = .keyFile(path: folder + "/lifeline.key")
            if rotate { _ = try environment.secret.keys(create: true, random: SystemRandom()) }
            let codes = VerificationService(environment)
            let requested = Mutex(false)
            let gateway = ScriptedGateway { _ in
                // While the first alert is with the provider, Ann asks for a code.
                guard !requested.withLock({ let was = $0; $0 = true; return was }) else { return }
                if rotate { _ = try! codes.rotateKey() }
                _ = try! codes.request(email: "ann@example.com", purpose: .passwordReset)
            }
            var options = DispatchOptions()
            options.batchSize = 1
            let summary = try await OutboxDispatcher(environment).dispatch(through: gateway, options: options)
            #expect(summary.failed == 0)
            let code = try #require(gateway.received.first { $0.kind == "verification_code" })
            #expect(code.body.contains("code"), "the code went out: \(code.body)")
        }
    }

    @Test(arguments: TestEngine.allCases) func sendsEachDueMessageOnceAndRecordsTheProviderID(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let (setup, _) = try await started(folder, engine: engine)
            let gateway = ScriptedGateway()
            let summary = try await dispatcher(setup).dispatch(through: gateway)
            #expect(summary.claimed == 2 && summary.sent == 2 && summary.failed == 0)
            #expect(gateway.received.map(\.destination) == ["447700900001", "447700900002"])
            #expect(gateway.received.map(\.idempotencyKey) == gateway.received.map { "lifeline-\($0.id)" })
            let first = try message(setup, gateway.received[0].id)
            #expect(first.status == "sent" && first.attempts == 1 && first.providerID == "p-\(gateway.received[0].id)")
            #expect(try await dispatcher(setup).dispatch(through: gateway).claimed == 0, "nothing is due twice")
        }
    }

    @Test(arguments: TestEngine.allCases) func anOptOutAfterQueueingIsSuppressedNotSent(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let (setup, _) = try await started(folder, engine: engine)
            _ = try setup.consent.handleInbound(from: "447700900002", text: "STOP")
            let gateway = ScriptedGateway()
            let summary = try await dispatcher(setup).dispatch(through: gateway)
            // Bob's opt-out confirmation (a service message) goes; his alert does not.
            #expect(gateway.received.filter { $0.program == .continuity }.map(\.destination) == ["447700900001"])
            #expect(summary.suppressed == 1)
            let alerts = try setup.alerts(1)
            #expect(alerts.first { $0.destination == "447700900002" }?.status == "suppressed")
        }
    }

    @Test(arguments: TestEngine.allCases) func aNumberChangeAfterQueueingIsSuppressedToo(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let (setup, _) = try await started(folder, engine: engine)
            try setup.fixture.importCSV("email,mobile\nann@example.com,447700900099\n")
            let gateway = ScriptedGateway()
            _ = try await dispatcher(setup).dispatch(through: gateway)
            #expect(gateway.received.map(\.destination) == ["447700900002"])
        }
    }

    @Test(arguments: TestEngine.allCases) func aServerErrorThenSuccessIsOneSentMessageWithTwoAttempts(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let (setup, _) = try await started(folder, engine: engine)
            let gateway = ScriptedGateway(script: [.retry(reason: "HTTP 500", after: nil)])
            let first = try await dispatcher(setup).dispatch(through: gateway, options: DispatchOptions(limit: 1))
            #expect(first.retried == 1)
            let id = gateway.received[0].id
            #expect(try message(setup, id).status == "queued" && message(setup, id).lastError == "\(gateway.name): HTTP 500")
            // Not due yet: backoff is 30 s with equal jitter (random 0.5 → 22.5 s).
            setup.clock.advance(by: 20)
            #expect(try await dispatcher(setup).dispatch(through: gateway, options: DispatchOptions(limit: 1)).claimed == 1)
            #expect(gateway.received.last?.id != id, "the retried message waits; the other one went")
            setup.clock.advance(by: 3)
            _ = try await dispatcher(setup).dispatch(through: gateway)
            let final = try message(setup, id)
            #expect(final.status == "sent" && final.attempts == 2 && final.providerID == "p-\(id)")
            #expect(gateway.received.filter { $0.id == id }.map(\.attempt) == [1, 2])
        }
    }

    @Test(arguments: TestEngine.allCases) func retryAfterIsHonoured(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let (setup, _) = try await started(folder, engine: engine)
            let gateway = ScriptedGateway(script: [.retry(reason: "HTTP 429", after: .seconds(120))])
            _ = try await dispatcher(setup).dispatch(through: gateway, options: DispatchOptions(limit: 1))
            let id = gateway.received[0].id
            setup.clock.advance(by: 119)
            _ = try await dispatcher(setup).dispatch(through: gateway)
            #expect(gateway.received.filter { $0.id == id }.count == 1)
            setup.clock.advance(by: 1)
            _ = try await dispatcher(setup).dispatch(through: gateway)
            #expect(gateway.received.filter { $0.id == id }.count == 2)
            #expect(try message(setup, id).status == "sent")
        }
    }

    @Test(arguments: TestEngine.allCases) func refusalsFailAtOnceAndRetriesStopAtTheMaximum(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let (setup, _) = try await started(folder, engine: engine)
            let refusing = ScriptedGateway(script: [.failed(reason: "HTTP 400: bad number")])
            _ = try await dispatcher(setup).dispatch(through: refusing, options: DispatchOptions(limit: 1))
            #expect(try message(setup, refusing.received[0].id).status == "failed")

            // A breaker that never opens, to see the retry policy alone.
            let alwaysDown = ScriptedGateway(script: Array(repeating: .retry(reason: "HTTP 503", after: .zero), count: 10))
            _ = try await dispatcher(setup).dispatch(
                through: ProviderChain([SMSProvider(gateway: alwaysDown, rate: nil, breaker: CircuitBreaker(failuresToOpen: 100))]))
            let id = try #require(alwaysDown.received.first?.id)
            let final = try message(setup, id)
            #expect(final.status == "failed" && final.attempts == RetryPolicy().maximumAttempts)
            #expect(final.lastError?.contains("gave up after 5 attempts") == true)
        }
    }

    @Test(arguments: TestEngine.allCases) func anUnavailableGatewayLeavesTheBatchQueuedForTheNextRun(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let (setup, _) = try await started(folder, engine: engine)
            await #expect(throws: GatewayFailure.self) { try await dispatcher(setup).dispatch(through: DownGateway()) }
            let gateway = ScriptedGateway()
            #expect(try await dispatcher(setup).dispatch(through: gateway).sent == 2)
        }
    }

    @Test(arguments: TestEngine.allCases) func aDispatcherThatDiedMidBatchLeavesItsMessagesToBeSentOnceWhenTheLeaseEnds(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let (setup, _) = try await started(folder, engine: engine)
            // A dispatcher claims both alerts and dies before recording anything.
            let connection = try setup.fixture.connection()
            let now = setup.clock.now()
            _ = try connection.write {
                try OutboxDispatchWriter(connection: connection, token: 1, alerts: EventService.alertKinds).claimDue(limit: 10, at: now, leaseUntil: now.addingTimeInterval(120))
            }
            let gateway = ScriptedGateway()
            #expect(try await dispatcher(setup).dispatch(through: gateway).claimed == 0, "still leased")
            setup.clock.advance(by: 120)
            #expect(try await dispatcher(setup).dispatch(through: gateway).sent == 2)
            #expect(Set(gateway.received.map(\.id)).count == 2 && gateway.received.count == 2)
            #expect(try await dispatcher(setup).dispatch(through: gateway).claimed == 0)
        }
    }

    @Test(arguments: TestEngine.allCases) func aRunWhoseLeaseWasTakenOverCannotRecordOutcomes(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let (setup, _) = try await started(folder, engine: engine)
            let connection = try setup.fixture.connection()
            let now = setup.clock.now()
            let slow = try OutboxDispatchWriter(connection: connection, token: 2, alerts: EventService.alertKinds)
            let slowBatch = try connection.write { try slow.claimDue(limit: 10, at: now, leaseUntil: now) }
            let later = now.addingTimeInterval(1)
            let takeover = try OutboxDispatchWriter(connection: connection, token: 3, alerts: EventService.alertKinds)
            let taken = try connection.write { try takeover.claimDue(limit: 10, at: later, leaseUntil: later.addingTimeInterval(120)) }
            #expect(taken.map(\.id) == slowBatch.map(\.id) && taken.allSatisfy { $0.attempts == 2 })
            try connection.write {
                try slow.fail(id: slowBatch[0].id, error: "late", at: later)
                try slow.markRestSent(leaseUntil: now, provider: "test", at: later)
            }
            #expect(try message(setup, taken[0].id).status == "sending", "the slow run's outcomes are ignored")
            try connection.write { try takeover.markRestSent(leaseUntil: later.addingTimeInterval(120), provider: "test", at: later) }
            #expect(try taken.allSatisfy { try message(setup, $0.id).status == "sent" })
        }
    }

    @Test(arguments: TestEngine.allCases) func concurrentDispatchersNeverSendOneMessageTwice(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try EventFixture(folder: folder, engine: engine)
            let connection = try setup.fixture.connection()
            try connection.write {
                for index in 0..<3000 {
                    try OutboxStore(connection: connection).enqueue(
                        OutgoingMessage(
                            channel: .sms, destination: "4477009\(String(format: "%05d", index))", body: "m\(index)",
                            kind: "test", program: .service, userID: nil), at: setup.clock.now())
                }
            }
            let gateway = ScriptedGateway()
            let settings = setup.fixture.settings
            let clock = setup.clock
            // Three dispatchers on three threads, each with its own connection, as three processes would.
            let summaries = try await withThrowingTaskGroup(of: DispatchSummary.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        var options = DispatchOptions()
                        options.batchSize = 50
                        return try await OutboxDispatcher(.testing(settings, clock: clock)).dispatch(through: gateway, options: options)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(summaries.map(\.claimed).reduce(0, +) >= 3000)
            let ids = gateway.received.filter { $0.kind == "test" }.map(\.id)
            #expect(ids.count == 3000)
            #expect(Set(ids).count == 3000)
        }
    }

    /// Random interleavings of opt-in, opt-out, number change, start and dispatch: every alert the
    /// gateway receives goes to a user opted in, at that moment, for that number; none twice.
    @Test(arguments: TestEngine.allCases, 1...12)
    func noAlertReachesSomeoneNotOptedInWhateverTheOrder(engine: TestEngine, seed: UInt64) async throws {
        try await withTemporaryDirectory { folder in
            var random = SeededRandom(seed: seed)
            let setup = try EventFixture(folder: folder, engine: engine)
            let settings = setup.fixture.settings
            let violations = Mutex<[String]>([])
            let gateway = ScriptedGateway { message in
                guard message.program == .continuity else { return }
                let lines = (try? ConsentService(.testing(settings)).status(of: message.destination)) ?? []
                if !lines.contains(where: { $0.state == .optedIn && $0.number == message.destination }) {
                    violations.withLock { $0.append("message \(message.id) to \(message.destination)") }
                }
            }
            let users = ["ann", "bob", "cat", "dan"]
            var event: Int64?
            for _ in 0..<30 {
                let user = users.randomElement(using: &random)! + "@example.com"
                switch Int.random(in: 0..<7, using: &random) {
                case 0: _ = try? setup.consent.recordAdminDecision(email: user, state: .optedIn, evidence: "form", actor: "admin")
                case 1: _ = try setup.consent.recordAdminDecision(email: user, state: .optedOut, evidence: "call", actor: "admin")
                case 2:
                    let number = "4477009000\(Int.random(in: 10..<14, using: &random))"
                    try setup.fixture.importCSV("email,mobile\n\(user),\(number)\n")
                case 3:
                    if let current = event { _ = try? setup.events.end(id: current, by: "test") }
                    event = try setup.createEvent()
                    _ = try setup.events.start(id: event!, by: "test")
                case 4: if let event { _ = try setup.events.end(id: event, by: "test") }
                default:
                    _ = try await OutboxDispatcher(.testing(settings, clock: setup.clock, random: MidpointRandom()))
                        .dispatch(through: gateway, options: DispatchOptions(limit: Int.random(in: 1...4, using: &random)))
                }
            }
            _ = try await OutboxDispatcher(.testing(settings, clock: setup.clock)).dispatch(through: gateway)
            #expect(violations.withLock { $0 } == [])
            let alerts = gateway.received.filter { $0.program == .continuity }
            #expect(Set(alerts.map(\.id)).count == alerts.count, "no alert sent twice")
        }
    }
}

/// SplitMix64: a small deterministic generator, so a failing interleaving can be replayed by its seed.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct FileGatewayTests {
    @Test func writesOneJSONObjectPerMessageThatDecodesToWhatWasSent() async throws {
        try await withTemporaryDirectory { folder in
            let gateway = FileGateway(path: folder + "/out.jsonl", clock: SystemClock())
            let bodies = ["plain", "quote \" backslash \\ newline \n tab \t bell \u{7}", "Zoë 東京 😀"]
            let messages = bodies.enumerated().map { index, body in
                GatewayMessage(
                    id: Int64(index + 1), channel: .sms, destination: "447700900001", body: body, program: .continuity,
                    kind: "event_start", eventID: 9, attempt: 1)
            }
            #expect(try await gateway.send(messages) == Array(repeating: .sent(providerID: nil), count: 3))
            _ = try await gateway.send(Array(messages.prefix(1)))
            let lines = try String(contentsOfFile: folder + "/out.jsonl", encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 4, "appends, never overwrites")
            let decoded = try lines.prefix(3).map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            #expect(decoded.map { $0["body"] as? String } == bodies)
            #expect(decoded.map { $0["idempotency_key"] as? String } == ["lifeline-1", "lifeline-2", "lifeline-3"])
            #expect(decoded.first?["event_id"] as? Int == 9)
            let mode = try FileManager.default.attributesOfItem(atPath: folder + "/out.jsonl")[.posixPermissions] as? Int
            #expect(mode == 0o600, "message bodies are personal data")
        }
    }

    @Test func anUnwritablePathIsAnUnavailableGateway() async {
        await #expect(throws: GatewayFailure.self) {
            try await FileGateway(path: "/nonexistent-folder/out.jsonl", clock: SystemClock()).send([])
        }
    }

    private func message(_ id: Int64) -> GatewayMessage {
        GatewayMessage(
            id: id, channel: .sms, destination: "447700900001", body: "m\(id)", program: .continuity, kind: "event_start",
            eventID: nil, attempt: 1)
    }

    @Test func aBatchAfterACrashMidLineCutsTheFragmentSoEveryLineParses() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/out.jsonl"
            // What a dispatch killed during its write leaves: a whole line, then part of one.
            try Data("{\"id\":1}\n{\"id\":2,\"idempotency_key\":\"lifel".utf8).write(to: URL(fileURLWithPath: path))
            _ = try await FileGateway(path: path, clock: SystemClock()).send([message(2), message(3)])
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == 4 && lines.last == "", "the torn fragment is gone")
            let parsed = try lines.dropLast().map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(parsed.map { $0?["id"] as? Int } == [1, 2, 3], "message 2 is on a whole line of its own")
            // A file that is one long fragment, longer than one read, is cut to nothing.
            try Data(String(repeating: "x", count: 200_000).utf8).write(to: URL(fileURLWithPath: path))
            _ = try await FileGateway(path: path, clock: SystemClock()).send([message(4)])
            let only = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            #expect(only.count == 1 && only.first?.hasPrefix("{\"id\":4") == true)
        }
    }

    @Test func aLinkIsNeverWrittenThroughAndAnExistingFileBecomesOwnerOnly() async throws {
        try await withTemporaryDirectory { folder in
            let target = folder + "/elsewhere"
            try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: target))
            try FileManager.default.createSymbolicLink(atPath: folder + "/out.jsonl", withDestinationPath: target)
            await #expect(throws: GatewayFailure.self) {
                try await FileGateway(path: folder + "/out.jsonl", clock: SystemClock()).send([message(1)])
            }
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me\n")

            let loose = folder + "/loose.jsonl"
            _ = FileManager.default.createFile(atPath: loose, contents: Data(), attributes: [.posixPermissions: 0o644])
            _ = try await FileGateway(path: loose, clock: SystemClock()).send([message(1)])
            #expect(try FileManager.default.attributesOfItem(atPath: loose)[.posixPermissions] as? Int == 0o600)

            // Another user's file (root can make one here; CI runs as root) is refused, not taken over.
            if getuid() == 0 {
                let theirs = folder + "/theirs.jsonl"
                _ = FileManager.default.createFile(atPath: theirs, contents: Data("x\n".utf8), attributes: [.ownerAccountID: 65534])
                await #expect(throws: GatewayFailure.self) {
                    try await FileGateway(path: theirs, clock: SystemClock()).send([message(1)])
                }
                #expect(try String(contentsOfFile: theirs, encoding: .utf8) == "x\n")
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func aRejectFileIsNeverWrittenThroughALink(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            let target = folder + "/precious.csv"
            try Data("precious\n".utf8).write(to: URL(fileURLWithPath: target))
            try FileManager.default.createSymbolicLink(atPath: folder + "/rejects.csv", withDestinationPath: target)
            var options = ImportOptions()
            options.rejectFilePath = folder + "/rejects.csv"
            options.allowPartial = true
            #expect(throws: ImportFailure.self) { try fixture.importCSV("email\nnot-an-email\n", options: options) }
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious\n")
        }
    }
}
