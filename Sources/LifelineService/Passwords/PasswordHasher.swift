import Crypto
import CryptoExtras
import FoundationEssentials

/// Hashes and checks passwords with PBKDF2-HMAC-SHA256 (OWASP's 600,000 iterations) and a
/// 16-byte random salt. The parameters are stored with the hash, so the count can be raised
/// later and an old hash re-hashed at the user's next successful login (``needsRehash(_:)``).
public struct PasswordHasher: Sendable {
    public static let defaultIterations = 600_000
    static let saltBytes = 16
    static let hashBytes = 32

    public let iterations: Int

    /// The production hasher: 600,000 iterations.
    public init() {
        iterations = Self.defaultIterations
    }

    /// A hasher with fewer iterations than any production setting allows, for tests only:
    /// the name says what it is wherever it is used.
    public init(unsafeUncheckedRounds iterations: Int) {
        self.iterations = iterations
    }

    /// `pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>`.
    public func hash(_ password: String, random: any RandomSource) throws -> String {
        let salt = random.bytes(Self.saltBytes)
        let derived = try Self.derive(password, salt: salt, iterations: iterations)
        return "pbkdf2-sha256$\(iterations)$\(Data(salt).base64EncodedString())$\(Data(derived).base64EncodedString())"
    }

    /// Whether `password` matches `stored`, compared in constant time; false for a malformed hash.
    public func verify(_ password: String, against stored: String) -> Bool {
        guard let parts = StoredHash(stored),
            let derived = try? Self.derive(password, salt: parts.salt, iterations: parts.iterations)
        else { return false }
        return ConstantTime.equal(derived, parts.hash)
    }

    /// A well-formed hash no password matches in practice (zero salt, zero hash), with this
    /// hasher's parameters: checking against it costs what checking a real one does.
    public var decoyHash: String {
        let zeros = { (count: Int) in Data(repeating: 0, count: count).base64EncodedString() }
        return "pbkdf2-sha256$\(iterations)$\(zeros(Self.saltBytes))$\(zeros(Self.hashBytes))"
    }

    /// Whether a hash was made with fewer iterations than this hasher uses.
    public func needsRehash(_ stored: String) -> Bool {
        (StoredHash(stored)?.iterations ?? 0) < iterations
    }

    static func derive(_ password: String, salt: [UInt8], iterations: Int) throws -> [UInt8] {
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: hashBytes,
            unsafeUncheckedRounds: iterations)
        return key.withUnsafeBytes { Array($0) }
    }
}

/// The parts of a stored hash.
struct StoredHash {
    let iterations: Int
    let salt: [UInt8]
    let hash: [UInt8]

    init?(_ text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let iterations = Int(parts[1]), iterations > 0,
            let salt = Data(base64Encoded: String(parts[2])), let hash = Data(base64Encoded: String(parts[3])),
            hash.count == PasswordHasher.hashBytes
        else { return nil }
        self.iterations = iterations
        self.salt = Array(salt)
        self.hash = Array(hash)
    }
}
