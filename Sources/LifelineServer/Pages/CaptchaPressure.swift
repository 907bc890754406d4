import FoundationEssentials
import LifelineService
import Synchronization

/// How often each client address and email asked for the portal's captcha lately, in memory
/// (per server, like the request limits), so ``ProofOfWork`` can make a client that keeps
/// asking do more work.
final class CaptchaPressure: Sendable {
    private let clock: any WallClock
    private let asked = Mutex<[String: [Date]]>([:])
    /// Keys kept before old ones are swept.
    private static let pruneAbove = 10_000

    init(clock: any WallClock) {
        self.clock = clock
    }

    /// Records one more request under each of `recording`, and returns the extra bits that the
    /// busiest of those keys and of `peeking` (counted, not recorded) calls for.
    func extraBits(recording: [String], peeking: [String] = []) -> Int {
        let now = clock.now()
        let since = now.addingTimeInterval(-ProofOfWork.pressureWindow)
        let busiest = asked.withLock { asked in
            if asked.count > Self.pruneAbove {
                asked = asked.compactMapValues { times in
                    let kept = times.filter { $0 > since }
                    return kept.isEmpty ? nil : kept
                }
            }
            var busiest = 0
            for key in recording + peeking {
                var times = (asked[key] ?? []).filter { $0 > since }
                if recording.contains(key) { times.append(now) }
                asked[key] = times.isEmpty ? nil : times
                busiest = max(busiest, times.count)
            }
            return busiest
        }
        return ProofOfWork.extraBits(recentRequests: busiest)
    }
}

extension CaptchaPressure {
    static func key(address context: LifelineRequestContext) -> String {
        "address:" + (context.clientAddress?.description ?? "unknown")
    }

    static func key(email: String) throws -> String {
        "email:" + (try RequestLimits.key(email: email))
    }
}
