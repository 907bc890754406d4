import LifelineService

extension LifelineEnvironment {
    /// A test's environment: its database and clock, a fixed secret, and a hasher with an explicit
    /// test round count (the production default is never lowered).
    static func testing(
        _ database: DatabaseSettings, clock: any WallClock = SystemClock(), secret: [UInt8] = VerificationFixture.secret,
        random: any RandomSource = SystemRandom()
    ) -> LifelineEnvironment {
        LifelineEnvironment(
            database: database, secret: .value(secret), clock: clock, random: random,
            passwordHasher: AccountFixture.hasher)
    }
}

/// A random source whose jitter is exactly one half (and whose bytes are 0x80, then zeros).
struct MidpointRandom: RandomSource {
    func bytes(_ count: Int) -> [UInt8] {
        count == 0 ? [] : [0x80] + [UInt8](repeating: 0, count: count - 1)
    }
}
