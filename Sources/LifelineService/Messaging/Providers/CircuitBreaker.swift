/// Whether a provider gets traffic, from what its recent attempts did: the usual circuit
/// breaker, in time the caller supplies so it can be tested without waiting.
///
/// - Closed: traffic flows. `failuresToOpen` failures in a row open it.
/// - Open: no traffic until `coolDown` has passed; then one probe is let through.
/// - A probe that succeeds closes it; one that fails opens it for another cool-down.
/// - Misconfigured: the provider refused Lifeline's credentials. No cool-down ends that, only a
///   change of configuration (a restart), so it stays open and readiness says why.
public struct CircuitBreaker: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case closed(failures: Int)
        case open(until: ContinuousClock.Instant, probing: Bool)
        case misconfigured(reason: String)
    }

    public private(set) var state: State = .closed(failures: 0)
    public let failuresToOpen: Int
    public let coolDown: Duration
    /// How many times it has opened: a rising count on `/metrics` is a provider in trouble.
    public private(set) var openings = 0

    public init(failuresToOpen: Int = 3, coolDown: Duration = .seconds(30)) {
        self.failuresToOpen = max(1, failuresToOpen)
        self.coolDown = coolDown
    }

    /// What the provider may be given now: everything, one probe message, or nothing.
    public enum Permission: Sendable, Equatable {
        case traffic, probe, none
    }

    /// Whether the provider may be used at `now`; a `.probe` answer reserves the probe, so two
    /// batches never probe at once.
    public mutating func permission(at now: ContinuousClock.Instant) -> Permission {
        switch state {
        case .closed: return .traffic
        case .misconfigured: return .none
        case .open(let until, let probing):
            guard !probing, now >= until else { return .none }
            state = .open(until: until, probing: true)
            return .probe
        }
    }

    /// Whether traffic would flow at `now`, without reserving anything (for reports).
    public func isAvailable(at now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed: true
        case .misconfigured: false
        case .open(let until, let probing): !probing && now >= until
        }
    }

    /// Gives back a probe reserved by ``permission(at:)`` and never sent.
    public mutating func releaseProbe() {
        if case .open(let until, true) = state { state = .open(until: until, probing: false) }
    }

    /// The provider accepted a message (or refused it for a reason of the message's own).
    public mutating func recordSuccess() {
        if case .misconfigured = state { return }
        state = .closed(failures: 0)
    }

    /// The provider failed a message: it is down, overloaded or unreachable.
    public mutating func recordFailure(at now: ContinuousClock.Instant) {
        switch state {
        case .misconfigured:
            return
        case .closed(let failures) where failures + 1 < failuresToOpen:
            state = .closed(failures: failures + 1)
        case .closed, .open:
            // A failed probe, or the failure that tips a closed breaker over.
            if case .closed = state { openings += 1 }
            state = .open(until: now + coolDown, probing: false)
        }
    }

    /// The provider refused the credentials: open until the configuration changes.
    public mutating func recordMisconfiguration(_ reason: String) {
        if case .misconfigured = state { return }
        openings += 1
        state = .misconfigured(reason: reason)
    }

    /// Why the provider is out of use for good, when its configuration is why.
    public var configurationProblem: String? {
        if case .misconfigured(let reason) = state { return reason }
        return nil
    }
}
