import LifelineService

extension LifelineEnvironment {
    /// A test's environment: its database and clock, a fixed secret, and a hasher with an explicit
    /// test round count (the production default is never lowered).
    static func testing(
        _ database: DatabaseSettings, clock: any WallClock = SystemClock(), secret: [UInt8] = VerificationFixture.secret,
        random: any RandomSource = SystemRandom()
    ) -> LifelineEnvironment {
        LifelineEnvironment(
            database: database, secret: .value(Hex.string(secret)), clock: clock, random: random,
            passwordHasher: AccountFixture.hasher)
    }
}

/// A random source whose jitter is exactly one half (and whose bytes are 0x80, then zeros).
struct MidpointRandom: RandomSource {
    func bytes(_ count: Int) -> [UInt8] {
        count == 0 ? [] : [0x80] + [UInt8](repeating: 0, count: count - 1)
    }
}

/// A reproducible random source (SplitMix64): the same seed gives the same codes, ids and salts.
final class SplitMixRandom: RandomSource, @unchecked Sendable {
    // @unchecked: a test gives each instance to one service on one thread at a time.
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    func bytes(_ count: Int) -> [UInt8] {
        var result: [UInt8] = []
        while result.count < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var word = state
            word = (word ^ (word >> 30)) &* 0xBF58_476D_1CE4_E5B9
            word = (word ^ (word >> 27)) &* 0x94D0_49BB_1331_11EB
            word ^= word >> 31
            withUnsafeBytes(of: word) { result += $0.prefix(count - result.count) }
        }
        return result
    }
}
