/// When a message that could not be sent is tried again, and when dispatch gives up on it.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included; after the last, the message is `failed`.
    public var maximumAttempts = 5
    /// The wait after the first failure; it doubles with each further one, up to ``longestWait``.
    public var firstWait: Duration = .seconds(30)
    public var longestWait: Duration = .seconds(3600)

    public init() {}

    /// The wait before the next attempt after `attempt` failed: the provider's Retry-After when
    /// it gave one, else exponential backoff with "equal jitter" (half fixed, half random), so
    /// many messages that failed together do not all come back at the same moment.
    public func wait(afterAttempt attempt: Int, retryAfter: Duration?, random: Double) -> Duration {
        if let retryAfter { return max(retryAfter, .zero) }
        let doublings = min(max(attempt - 1, 0), 30)
        let backoff = min(firstWait * (1 << doublings), longestWait)
        return backoff / 2 + backoff / 2 * min(max(random, 0), 1)
    }

    /// Whether a message that has had `attempts` attempts may have another.
    public func allowsAnother(after attempts: Int) -> Bool {
        attempts < maximumAttempts
    }
}
