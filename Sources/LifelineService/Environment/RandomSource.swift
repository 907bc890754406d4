/// Where the service gets random bytes: codes, salts, request ids, key material and retry
/// jitter all come through one of these, so tests can reproduce them.
public protocol RandomSource: Sendable {
    /// `count` random bytes.
    func bytes(_ count: Int) -> [UInt8]
}

/// The system's CSPRNG (getrandom): the only source production uses.
public struct SystemRandom: RandomSource {
    public init() {}

    public func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

extension RandomSource {
    /// `count` decimal digits, each uniform: bytes of 250 and over are drawn again, since
    /// reducing them modulo 10 would favour 0–5.
    func digits(_ count: Int) -> String {
        var digits = ""
        digits.reserveCapacity(count)
        while digits.count < count {
            for byte in bytes(count - digits.count) where byte < 250 {
                digits.append(Character(Unicode.Scalar(UInt8(ascii: "0") + byte % 10)))
            }
        }
        return digits
    }

    /// A number in 0..<1 from 53 random bits, for jitter.
    func unitInterval() -> Double {
        let word = bytes(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Double(word >> 11) / Double(UInt64(1) << 53)
    }

    /// A positive 63-bit number that tells one dispatch run's claims from another's.
    func claimToken() -> Int64 {
        let word = bytes(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int64(word >> 1) | 1
    }

    /// `count` random bytes in lower-case hexadecimal.
    public func hex(_ count: Int) -> String {
        Hex.string(bytes(count))
    }
}
