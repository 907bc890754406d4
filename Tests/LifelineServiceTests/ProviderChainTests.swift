import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

struct CircuitBreakerTests {
    let start = ContinuousClock.now

    @Test func opensAfterConsecutiveFailuresAndLetsOneProbeThroughAfterTheCoolDown() {
        var breaker = CircuitBreaker(failuresToOpen: 3, coolDown: .seconds(30))
        breaker.recordFailure(at: start)
        breaker.recordFailure(at: start)
        breaker.recordSuccess()
        breaker.recordFailure(at: start)
        breaker.recordFailure(at: start)
        #expect(breaker.permission(at: start) == .traffic, "a success in between resets the count")
        breaker.recordFailure(at: start)
        #expect(breaker.permission(at: start) == .none && breaker.openings == 1)
        #expect(breaker.permission(at: start + .seconds(29)) == .none)
        #expect(breaker.permission(at: start + .seconds(30)) == .probe)
        #expect(breaker.permission(at: start + .seconds(31)) == .none, "one probe at a time")
        breaker.recordSuccess()
        #expect(breaker.permission(at: start + .seconds(31)) == .traffic)
    }

    @Test func aFailedProbeOpensItForAnotherCoolDown() {
        var breaker = CircuitBreaker(failuresToOpen: 1, coolDown: .seconds(10))
        breaker.recordFailure(at: start)
        #expect(breaker.permission(at: start + .seconds(10)) == .probe)
        breaker.recordFailure(at: start + .seconds(11))
        #expect(breaker.permission(at: start + .seconds(20)) == .none)
        #expect(breaker.permission(at: start + .seconds(21)) == .probe)
        #expect(breaker.openings == 1, "a failed probe is the same opening")
    }

    @Test func refusedCredentialsKeepItOpenWhateverTheTimeOrTheOutcomes() {
        var breaker = CircuitBreaker(failuresToOpen: 3, coolDown: .seconds(1))
        breaker.recordMisconfiguration("HTTP 401")
        breaker.recordSuccess()
        #expect(breaker.permission(at: start + .seconds(3600)) == .none)
        #expect(breaker.configurationProblem == "HTTP 401")
    }
}

struct SendPacerTests {
    let start = ContinuousClock.now

    @Test func startsAreSpacedByTheirPartsOverTheRate() {
        var pacer = SendPacer(rate: 2)
        #expect(pacer.reserve(parts: 1, at: start) == start)
        #expect(pacer.reserve(parts: 2, at: start) == start + .milliseconds(500))
        #expect(pacer.reserve(parts: 1, at: start) == start + .milliseconds(1500))
        // Idle time is not saved up into a burst.
        #expect(pacer.reserve(parts: 1, at: start + .seconds(10)) == start + .seconds(10))
        #expect(pacer.reserve(parts: 1, at: start + .seconds(10)) == start + .milliseconds(10_500))
    }

    @Test func aPausePushesTheNextStartPastIt() {
        var pacer = SendPacer(rate: 100)
        _ = pacer.reserve(parts: 1, at: start)
        pacer.pause(until: start + .seconds(5))
        #expect(pacer.reserve(parts: 1, at: start + .seconds(1)) == start + .seconds(5))
    }

    @Test(arguments: TestEngine.allCases) func aBatchIsAboutASecondsWorthAndAnUnpacedOneIsWhole(engine: TestEngine) {
        #expect(SendPacer(rate: 1).messages(in: .seconds(1), atMost: 5000) == 1)
        #expect(SendPacer(rate: 0.1).messages(in: .seconds(1), atMost: 5000) == 1)
        #expect(SendPacer(rate: 40).messages(in: .seconds(1), atMost: 5000) == 40)
        #expect(SendPacer(rate: nil).messages(in: .seconds(1), atMost: 5000) == 5000)
        #expect(SendPacer(rate: .nan).rate == nil && SendPacer(rate: 0).rate == nil)
    }
}

/// Dispatch through several providers, by priority, expiring what is stale.
struct ProviderDispatchTests {
    private func started(_ folder: String, engine: TestEngine) async throws -> (EventFixture, Int64) {
        try await EventFixture.withStartedEvent(folder: folder, engine: engine)
    }

    private func dispatcher(_ setup: EventFixture) -> OutboxDispatcher {
        setup.dispatcher()
    }

    private func outbox(_ setup: EventFixture, where condition: String = "1") throws
        -> [(id: Int64, kind: String, status: String, provider: String?, maybeSent: Int)]
    {
        try setup.fixture.connection().query(
            "SELECT id, kind, status, provider, maybe_sent FROM outbox WHERE \(condition) ORDER BY id"
        ) { ($0.int64(at: 0), $0.string(at: 1), $0.string(at: 2), try $0.get(3), Int($0.int64(at: 4))) }
    }

    private func chain(_ gateways: ScriptedGateway..., coolDown: Duration = .seconds(60)) -> ProviderChain {
        ProviderChain(gateways.map { SMSProvider(gateway: $0, rate: nil, breaker: CircuitBreaker(failuresToOpen: 2, coolDown: coolDown)) })
    }

    @Test(arguments: TestEngine.allCases) func whatTheFirstProviderDidNotAcceptGoesThroughTheNextAtOnce(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let (setup, event) = try await started(folder, engine: engine)
            let first = ScriptedGateway(name: "first", script: [.retry(reason: "HTTP 503", after: nil), .sent(providerID: "f-1")])
            let second = ScriptedGateway(name: "second")
            let summary = try await dispatcher(setup).dispatch(through: chain(first, second))
            #expect(summary.sent == 2 && summary.retried == 0 && summary.failovers == 1)
            #expect(summary.sentBy == ["first": 1, "second": 1])
            let alerts = try outbox(setup, where: "event_id = \(event)")
            #expect(alerts.map(\.status) == ["sent", "sent"])
            #expect(Set(alerts.compactMap(\.provider)) == ["first", "second"])
            #expect(second.received.map(\.id) == [first.received[0].id], "only the refused one moved on")
        }
    }

    @Test(arguments: TestEngine.allCases) func anUnknownOutcomeIsSentAgainAndCountedAsMaybeSent(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let (setup, event) = try await started(folder, engine: engine)
            let first = ScriptedGateway(name: "first", script: [.unknown(reason: "timed out"), .sent(providerID: nil)])
            let second = ScriptedGateway(name: "second")
            let summary = try await dispatcher(setup).dispatch(through: chain(first, second))
            #expect(summary.maybeSent == 1 && summary.sent == 2)
            let alerts = try outbox(setup, where: "event_id = \(event)")
            #expect(alerts.map(\.maybeSent) == [1, 0] && alerts.map(\.provider) == ["second", "first"])
        }
    }

    @Test(arguments: TestEngine.allCases) func anOpenBreakerSendsEverythingToTheNextProviderUntilAProbeSucceeds(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let (setup, event) = try await started(folder, engine: engine)
            let first = ScriptedGateway(name: "first")
            first.answerAlways(.retry(reason: "HTTP 503", after: nil))
            let second = ScriptedGateway(name: "second")
            let providers = chain(first, second, coolDown: .milliseconds(300))
            _ = try await dispatcher(setup).dispatch(through: providers)
            #expect(first.received.count == 2 && second.received.count == 2)
            #expect(providers.reports()[0].health == .down && providers.reports()[0].openings == 1)

            // While it is open, the first provider is not tried at all.
            _ = try setup.events.end(id: event, by: "test")
            _ = try await dispatcher(setup).dispatch(through: providers)
            #expect(first.received.count == 2 && second.received.count == 4)

            // It recovers; after the cool-down one message probes it, and traffic returns.
            first.answerAlways(nil)
            try await Task.sleep(for: .milliseconds(350))
            #expect(providers.reports()[0].health == .probing)
            let again = try setup.createEvent()
            _ = try setup.events.start(id: again, by: "test")
            let summary = try await dispatcher(setup).dispatch(through: providers)
            #expect(summary.sentBy == ["first": 2], "the probe went, then the rest: \(summary.sentBy)")
            #expect(providers.reports()[0].health == .up)
        }
    }

    @Test(arguments: TestEngine.allCases) func aCodeGoesBeforeTheAlertsQueuedAheadOfIt(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let (setup, _) = try await started(folder, engine: engine)
            var environment = LifelineEnvironment.testing(setup.fixture.settings, clock: setup.clock)
            environment.secret = .keyFile(path: folder + "/lifeline.key")
            setup.clock.advance(by: 1)
            _ = try VerificationService(environment).request(email: "bob@example.com", purpose: .passwordReset)
            let gateway = ScriptedGateway()
            var options = DispatchOptions(limit: 1)
            options.batchSize = 1
            _ = try await OutboxDispatcher(environment).dispatch(through: gateway, options: options)
            #expect(gateway.received.map(\.kind) == ["verification_code"], "queued last, sent first")
        }
    }

    @Test(arguments: TestEngine.allCases) func endingAnEventExpiresItsUnsentStartAlertsAndTheEndAlertStillGoes(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let (setup, event) = try await started(folder, engine: engine)
            _ = try setup.events.end(id: event, by: "test")
            let gateway = ScriptedGateway()
            let summary = try await dispatcher(setup).dispatch(through: gateway)
            #expect(gateway.received.map(\.kind) == ["event_end", "event_end"])
            #expect(summary.sent == 2)
            let starts = try outbox(setup, where: "event_id = \(event) AND kind = 'event_start'")
            #expect(starts.map(\.status) == ["expired", "expired"])
            let counts = try EventService(.testing(setup.fixture.settings)).show(id: event).deliveries
            #expect(counts.contains { $0.alert == "start" && $0.status == .expired && $0.count == 2 })
        }
    }

    @Test(arguments: TestEngine.allCases) func anEndAlertWaitsWhileAStartAlertIsStillWithAProvider(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let (setup, event) = try await started(folder, engine: engine)
            let now = setup.clock.now()
            let connection = try setup.fixture.connection()
            // Another dispatcher holds the start alerts, mid-send, when the event ends.
            let other = try OutboxDispatchWriter(connection: connection, token: 7, alerts: EventService.alertKinds)
            let held = try connection.write { try other.claimDue(limit: 10, at: now, leaseUntil: now.addingTimeInterval(60)) }
            #expect(held.count == 2)
            _ = try setup.events.end(id: event, by: "test")
            let gateway = ScriptedGateway()
            _ = try await dispatcher(setup).dispatch(through: gateway)
            #expect(gateway.received.isEmpty, "the end alert waits for the start alert still out")
            try connection.write { try other.markRestSent(leaseUntil: now.addingTimeInterval(60), provider: "other", at: now) }
            _ = try await dispatcher(setup).dispatch(through: gateway)
            #expect(gateway.received.map(\.kind) == ["event_end", "event_end"])
        }
    }

    @Test(arguments: TestEngine.allCases) func aCodeMessageIsNeverSentAfterItsCodeExpired(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let (setup, _) = try await started(folder, engine: engine)
            _ = try await dispatcher(setup).dispatch(through: ScriptedGateway())
            var environment = LifelineEnvironment.testing(setup.fixture.settings, clock: setup.clock)
            environment.secret = .keyFile(path: folder + "/lifeline.key")
            _ = try VerificationService(environment).request(email: "ann@example.com", purpose: .passwordReset)
            setup.clock.advance(by: 24 * 60 * 60 - 1)
            let gateway = ScriptedGateway()
            let summary = try await OutboxDispatcher(environment).dispatch(through: gateway)
            #expect(gateway.received.isEmpty && summary.expired == 1)
            let code = try #require(try outbox(setup, where: "kind = 'verification_code'").first)
            #expect(code.status == "expired")
        }
    }

    @Test(arguments: TestEngine.allCases) func anythingOlderThanTheCeilingIsExpired(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let (setup, event) = try await started(folder, engine: engine)
            setup.clock.advance(by: 3601)
            var options = DispatchOptions()
            options.maximumQueueAge = .seconds(3600)
            let gateway = ScriptedGateway()
            let summary = try await dispatcher(setup).dispatch(through: gateway, options: options)
            #expect(gateway.received.isEmpty && summary.expired == 2)
            let reasons = try setup.fixture.connection().query("SELECT last_error FROM outbox WHERE event_id = ?", event) { $0.string(at: 0) }
            #expect(reasons.allSatisfy { $0.contains("--max-queue-age") })
        }
    }
}

extension ProviderDispatchTests {
    /// A 429 slows the provider down and the message waits; one on a message's last attempt
    /// counts against the provider, and enough of them open its breaker.
    @Test func throttlingSlowsAProviderAndOnlyA429PastTheRetriesCountsAgainstIt() async throws {
        let throttled = ScriptedGateway(name: "first")
        throttled.answerAlways(.throttled(reason: "HTTP 429", after: .seconds(1)))
        let provider = SMSProvider(gateway: throttled, rate: nil, breaker: CircuitBreaker(failuresToOpen: 2))
        let chain = ProviderChain([provider])
        func message(attempt: Int) -> GatewayMessage {
            GatewayMessage(
                id: Int64(attempt), channel: .sms, destination: "447700900001", body: "b", program: .continuity, kind: "event_start",
                eventID: 1, attempt: attempt)
        }
        let early = await chain.deliver([message(attempt: 1), message(attempt: 2)], startingWith: .init(index: 0, probe: false))
        #expect(early.deliveries.allSatisfy { if case .notSent(_, .seconds(1)?, 0) = $0 { true } else { false } })
        #expect(provider.report().health == .up, "asked to slow down, not failing")
        _ = await chain.deliver(
            [message(attempt: RetryPolicy().maximumAttempts), message(attempt: RetryPolicy().maximumAttempts)],
            startingWith: .init(index: 0, probe: false))
        #expect(provider.report().health == .down)
    }
}

extension ProviderDispatchTests {
    /// A provider that fails the first messages of a big batch is not sent the rest of it,
    /// unpaced or paced so fast that the whole batch would go before the first answer.
    @Test(arguments: [nil, 100_000.0])
    func aFailingProviderIsNotSentTheRestOfABigBatch(rate: Double?) async {
        let failing = ScriptedGateway(name: "first")
        failing.answerAlways(.retry(reason: "HTTP 503", after: nil))
        let second = ScriptedGateway(name: "second")
        let chain = ProviderChain([
            SMSProvider(gateway: failing, rate: rate, breaker: CircuitBreaker(failuresToOpen: 3)),
            SMSProvider(gateway: second, rate: nil),
        ])
        let messages = (1...1000).map {
            GatewayMessage(
                id: Int64($0), channel: .sms, destination: "447700900001", body: "b", program: .continuity, kind: "event_start",
                eventID: 1, attempt: 1)
        }
        let result = await chain.deliver(messages, startingWith: .init(index: 0, probe: false))
        #expect(failing.received.count <= ProviderChain.leadingMessages + 100, "\(failing.received.count) sent to it")
        #expect(second.received.count == 1000 && result.failovers == 1)
    }
}

extension ProviderDispatchTests {
    /// Among alerts, the oldest event's go first, whenever the newer one's were queued.
    @Test(arguments: TestEngine.allCases) func theOldestEventsAlertsGoFirst(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let (setup, older) = try await started(folder, engine: engine)
            let newer = try setup.createEvent(start: "Second outage, {name}.")
            _ = try setup.events.start(id: newer, by: "test")
            // The newer event's alerts are due first: they still wait for the older event's.
            try setup.fixture.connection().execute("UPDATE outbox SET next_attempt_at = 0 WHERE event_id = ?", newer)
            let gateway = ScriptedGateway()
            var options = DispatchOptions(limit: 2)
            options.batchSize = 2
            _ = try await dispatcher(setup).dispatch(through: gateway, options: options)
            #expect(gateway.received.map(\.eventID) == [older, older])
        }
    }
}
