import Synchronization

/// One provider the dispatcher sends through: its gateway, its pace and its health. Shared by
/// every batch of a server's dispatcher, so the pace and the breaker hold across batches.
public final class SMSProvider: Sendable {
    public let gateway: any MessageGateway & Sendable
    public var name: String { gateway.name }
    private let state: Mutex<State>

    struct State {
        var pacer: SendPacer
        var breaker: CircuitBreaker
        var counts = ProviderCounts()
    }

    /// `rate` in SMS parts a second (nil: as fast as the gateway takes them).
    public init(gateway: any MessageGateway & Sendable, rate: Double?, breaker: CircuitBreaker = CircuitBreaker()) {
        self.gateway = gateway
        state = Mutex(State(pacer: SendPacer(rate: rate), breaker: breaker))
    }

    /// What the provider may be given now; a `.probe` is reserved until ``outcome(_:at:)``
    /// records its answer or ``releaseProbe()`` gives it back.
    func permission(at now: ContinuousClock.Instant) -> CircuitBreaker.Permission {
        state.withLock { $0.breaker.permission(at: now) }
    }

    /// Gives back a probe that was reserved and never sent.
    func releaseProbe() {
        state.withLock { $0.breaker.releaseProbe() }
    }

    /// Messages one batch should carry: about a second's worth at this provider's pace.
    func batchSize(atMost limit: Int) -> Int {
        state.withLock { $0.pacer.messages(in: .seconds(1), atMost: limit) }
    }

    /// When the next message could start, without reserving it.
    func nextStart(at now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        state.withLock { $0.pacer.nextStart(at: now) }
    }

    /// Whether its breaker is closed: a provider that failed mid-batch gets no more of it.
    var isTakingTraffic: Bool {
        state.withLock { if case .closed = $0.breaker.state { true } else { false } }
    }

    var isPaced: Bool { state.withLock { $0.pacer.rate != nil } }

    /// Reserves a start time for a message of `parts` parts.
    func reserve(parts: Int, at now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        state.withLock { $0.pacer.reserve(parts: parts, at: now) }
    }

    /// Records what the provider did with one message, for its breaker, pace and counts.
    /// `wasLastAttempt`: the message has no retry left, so a 429 for it is a failure too.
    func record(_ outcome: GatewayOutcome, at now: ContinuousClock.Instant, wasLastAttempt: Bool = false) {
        state.withLock { state in
            switch outcome {
            case .sent:
                state.counts.sent += 1
                state.breaker.recordSuccess()
            case .failed:
                // Refused for a reason of the message's own (a bad number): the provider works.
                state.counts.refused += 1
                state.breaker.recordSuccess()
            case .throttled(_, let after):
                state.counts.throttled += 1
                state.pacer.pause(until: now + (after ?? .seconds(1)))
                // Slowing down is what a 429 asks; one that outlasts a message's retries is a failure.
                if wasLastAttempt { state.breaker.recordFailure(at: now) }
            case .retry:
                state.counts.failures += 1
                state.breaker.recordFailure(at: now)
            case .unknown:
                state.counts.maybeSent += 1
                state.breaker.recordFailure(at: now)
            }
        }
    }

    /// The gateway threw for a whole batch of `count` messages: unreachable, or refusing
    /// Lifeline's credentials.
    func record(thrown error: any Error, messages count: Int, at now: ContinuousClock.Instant) {
        state.withLock { state in
            state.counts.failures += count
            if let failure = error as? GatewayFailure, case .notConfigured = failure {
                state.breaker.recordMisconfiguration(failure.message)
            } else {
                state.breaker.recordFailure(at: now)
            }
        }
    }

    /// The provider as `/readyz`, `/metrics` and the console show it.
    public func report(at now: ContinuousClock.Instant = .now) -> ProviderReport {
        state.withLock { state in
            let health: ProviderReport.Health =
                switch state.breaker.state {
                case .closed: .up
                case .open: state.breaker.isAvailable(at: now) ? .probing : .down
                case .misconfigured: .misconfigured
                }
            return ProviderReport(
                name: name, rate: state.pacer.rate, health: health, configurationProblem: state.breaker.configurationProblem,
                openings: state.breaker.openings, counts: state.counts)
        }
    }
}

/// What one provider has done since the process started.
public struct ProviderCounts: Sendable, Equatable {
    public var sent = 0
    /// Refused for the message's own sake (an invalid number), not the provider's.
    public var refused = 0
    /// Known not accepted: a server error, a connection that never opened.
    public var failures = 0
    /// Sent with no answer: perhaps accepted.
    public var maybeSent = 0
    /// Asked to slow down (429).
    public var throttled = 0
}

/// A provider's state for reports.
public struct ProviderReport: Sendable, Equatable {
    public enum Health: String, Sendable {
        /// Taking traffic.
        case up
        /// Failing: out of use until its cool-down ends.
        case down
        /// Its cool-down is over: the next batch probes it with one message.
        case probing
        /// It refused Lifeline's credentials: out of use until the configuration changes.
        case misconfigured
    }

    public let name: String
    public let rate: Double?
    public let health: Health
    public let configurationProblem: String?
    public let openings: Int
    public let counts: ProviderCounts
}
