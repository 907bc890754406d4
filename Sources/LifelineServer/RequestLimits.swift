import FoundationEssentials
import HTTPTypes
import Hummingbird
import LifelineService
import Synchronization

/// The portal's limits beyond the per-user ones: per client address (every portal request)
/// and per email (requests that name one), each answered with 429 when spent.
public struct RequestLimits: Sendable {
    let perAddress: RateLimiter
    let perEmail: RateLimiter

    /// `perAddress` and `perEmail` requests a minute.
    public init(perAddress: Int, perEmail: Int, clock: any WallClock) {
        self.perAddress = RateLimiter(.init(name: "address", quota: perAddress, window: 60), clock: clock)
        self.perEmail = RateLimiter(.init(name: "email", quota: perEmail, window: 60), clock: clock)
    }

    /// Throws a 429 when this email has asked too often; the case and blanks do not matter.
    func admit(email: String) throws {
        let decision = perEmail.take(try Self.key(email: email))
        guard decision.allowed else {
            throw perEmail.refusal(decision, detail: "too many requests for this email; try again in \(decision.retryAfter) s")
        }
    }
}

extension RequestLimits {
    /// An email as a key held in memory by a limit (this one's, the captcha's): bounded first,
    /// so an oversized one is refused (422) rather than kept; case and blanks do not matter.
    static func key(email: String) throws -> String {
        try TextLimit.email.check(email, field: "the email")
        return NameKey.of(email)
    }
}
