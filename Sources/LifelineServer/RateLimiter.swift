import FoundationEssentials
import HTTPTypes
import Hummingbird
import LifelineService
import Synchronization

/// A limit on how often one key (a client address, an email) may ask: a token bucket holding
/// `quota` requests, refilled evenly over `window` seconds, so a burst up to the quota is
/// allowed and then one request per `window / quota` seconds.
///
/// In memory, per server: two servers behind one proxy each allow the quota. The per-user
/// limits on codes live in the database and hold across servers; these only blunt floods.
final class RateLimiter: Sendable {
    /// The policy's name in the `RateLimit` headers, its quota and its window in seconds.
    struct Policy: Sendable, Equatable {
        let name: String
        let quota: Int
        let window: Int
    }

    /// One request's answer, with what the headers report.
    struct Decision: Sendable, Equatable {
        let allowed: Bool
        /// Whole requests left now.
        let remaining: Int
        /// Seconds until the bucket is full again.
        let resetSeconds: Int
        /// Seconds until the next request is allowed (0 when one is).
        let retryAfter: Int
    }

    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    let policy: Policy
    private let clock: any WallClock
    private let buckets = Mutex<[String: Bucket]>([:])
    /// Above this many keys, full buckets (keys idle for a window) are dropped.
    private static let pruneAbove = 50_000

    init(_ policy: Policy, clock: any WallClock) {
        self.policy = policy
        self.clock = clock
    }

    func take(_ key: String) -> Decision {
        let now = clock.now()
        let quota = Double(policy.quota)
        let perSecond = quota / Double(policy.window)
        return buckets.withLock { buckets in
            if buckets.count > Self.pruneAbove {
                buckets = buckets.filter { _, bucket in
                    bucket.tokens + now.timeIntervalSince(bucket.updated) * perSecond < quota
                }
            }
            var bucket = buckets[key] ?? Bucket(tokens: quota, updated: now)
            bucket.tokens = min(quota, bucket.tokens + max(0, now.timeIntervalSince(bucket.updated)) * perSecond)
            bucket.updated = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[key] = bucket
            return Decision(
                allowed: allowed, remaining: Int(bucket.tokens.rounded(.down)),
                resetSeconds: Int(((quota - bucket.tokens) / perSecond).rounded(.up)),
                retryAfter: allowed ? 0 : Int(((1 - bucket.tokens) / perSecond).rounded(.up)))
        }
    }

    /// `RateLimit-Policy` and `RateLimit` (IETF httpapi ratelimit-headers draft, structured fields).
    func headers(_ decision: Decision) -> HTTPFields {
        [
            .rateLimitPolicy: "\"\(policy.name)\";q=\(policy.quota);w=\(policy.window)",
            .rateLimit: "\"\(policy.name)\";r=\(decision.remaining);t=\(decision.resetSeconds)",
        ]
    }

    /// The 429 for a refused request: Retry-After, the rate-limit headers, and what was limited.
    func refusal(_ decision: Decision, detail: String) -> Problem {
        var problem = Problem(status: .tooManyRequests, code: "rate_limited", detail: detail, retryAfter: decision.retryAfter)
        problem.headers = headers(decision)
        return problem
    }
}

extension HTTPField.Name {
    static let rateLimitPolicy = Self("RateLimit-Policy")!
    static let rateLimit = Self("RateLimit")!
}
