import Testing

@testable import LifelineService

struct PasswordHasherTests {
    /// Tests use few iterations through the explicit unsafe initialiser; production never does.
    private let hasher = PasswordHasher(unsafeUncheckedRounds: 1_000)

    @Test func theDefaultIsOWASPsIterationCount() {
        #expect(PasswordHasher().iterations == 600_000)
    }

    @Test func aHashVerifiesItsPasswordAndNoOther() throws {
        let stored = try hasher.hash("Tulip-Harbour-7", random: SystemRandom())
        #expect(stored.hasPrefix("pbkdf2-sha256$1000$"))
        #expect(hasher.verify("Tulip-Harbour-7", against: stored))
        #expect(!hasher.verify("tulip-harbour-7", against: stored))
        #expect(!hasher.verify("Tulip-Harbour-7", against: "pbkdf2-sha256$1000$bad$bad"))
    }

    @Test func twoUsersWithTheSamePasswordGetDifferentHashes() throws {
        let first = try hasher.hash("Tulip-Harbour-7", random: SystemRandom())
        let second = try hasher.hash("Tulip-Harbour-7", random: SystemRandom())
        #expect(first != second, "each hash has its own salt")
        #expect(hasher.verify("Tulip-Harbour-7", against: second))
    }

    @Test func aHashFromFewerIterationsAsksToBeRehashed() throws {
        let old = try PasswordHasher(unsafeUncheckedRounds: 500).hash("Tulip-Harbour-7", random: SystemRandom())
        #expect(hasher.needsRehash(old))
        #expect(hasher.verify("Tulip-Harbour-7", against: old), "the stored count is used to check it")
        #expect(!hasher.needsRehash(try hasher.hash("Tulip-Harbour-7", random: SystemRandom())))
    }
}
