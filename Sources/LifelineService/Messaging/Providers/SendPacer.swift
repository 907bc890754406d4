/// Paces one provider in SMS parts a second: each message is given a start time at least
/// `parts / rate` seconds after the one before it (a token bucket with no burst, as GCRA
/// schedules), so no one-second window holds more than the rate, plus at most one message's
/// extra parts. A 429 pushes every start time back past the provider's `Retry-After`.
public struct SendPacer: Sendable, Equatable {
    /// Parts a second; nil: unpaced.
    public let rate: Double?
    private var nextStart: ContinuousClock.Instant?

    public init(rate: Double?) {
        self.rate = rate.flatMap { $0.isFinite && $0 > 0 ? min(max($0, 0.001), 1_000_000) : nil }
    }

    /// When a message of `parts` parts may start, reserving its slot.
    public mutating func reserve(parts: Int, at now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        guard let rate else { return now }
        let start = max(now, nextStart ?? now)
        nextStart = start + .seconds(Double(max(parts, 1)) / rate)
        return start
    }

    /// When the next message could start, without reserving it.
    public func nextStart(at now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        guard rate != nil, let nextStart else { return now }
        return max(now, nextStart)
    }

    /// The provider asked to be left alone until `until`.
    public mutating func pause(until: ContinuousClock.Instant) {
        nextStart = max(nextStart ?? until, until)
    }

    /// Messages that fit in `duration` at this pace, at least one (every message when unpaced).
    public func messages(in duration: Duration, atMost limit: Int) -> Int {
        guard let rate else { return limit }
        return min(limit, max(1, Int(rate * duration.seconds)))
    }
}
