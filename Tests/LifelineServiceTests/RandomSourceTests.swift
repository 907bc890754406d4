import LifelineTestSupport
import Testing

@testable import LifelineService

/// Randomness comes in from the environment: drawn fairly, and reproducible in tests.
struct RandomSourceTests {
    /// Bytes 0, 1, …, 255, 0, 1, …: every value equally often.
    final class CountingBytes: RandomSource, @unchecked Sendable {
        // @unchecked: used by one test on one thread.
        private var next: UInt8 = 0
        func bytes(_ count: Int) -> [UInt8] {
            (0..<count).map { _ in
                defer { next &+= 1 }
                return next
            }
        }
    }

    @Test func digitsAreUniformBecauseBytesOf250AndOverAreDrawnAgain() {
        let digits = CountingBytes().digits(2_500)
        var counts = [Character: Int]()
        for digit in digits { counts[digit, default: 0] += 1 }
        #expect(counts.count == 10 && counts.values.allSatisfy { $0 == 250 }, "\(counts)")
    }

    @Test func theSameSeedGivesTheSameCodeAndRequestID() async throws {
        func firstCode(_ folder: String) async throws -> (String, String) {
            let setup = try VerificationFixture(folder: folder, engine: .sqlite, random: SplitMixRandom(seed: 7))
            let outcome = try setup.service.request(email: "ann@example.com", purpose: .twoStep)
            return (outcome.requestID, try #require(try await setup.deliver().last))
        }
        let one = try await withTemporaryDirectory { try await firstCode($0) }
        let two = try await withTemporaryDirectory { try await firstCode($0) }
        #expect(one == two)
        #expect(one.1.count == 6 && one.0.hasPrefix("vr-"))
    }
}
