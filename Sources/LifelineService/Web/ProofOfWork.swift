import Crypto
import FoundationEssentials
import LifelineStore

/// A proof-of-work challenge: the portal's captcha. Made by the server, signed, expiring, and
/// good once; the browser finds a nonce whose SHA-256 with the challenge starts with
/// `difficulty` zero bits.
///
/// Written here rather than taken from a package: no Swift package on this machine offers one,
/// and captcha services are third-party requests, which pages used during an outage must not make.
public struct ProofOfWorkChallenge: Sendable, Equatable {
    public let id: String
    public let expiresAt: Date
    /// Leading zero bits asked of the answer's hash; each one doubles the expected work.
    public let difficulty: Int
    /// The signed text the browser hashes with its nonce: `pow1.ID.EXPIRES.BITS.TAG`.
    public let text: String
}

/// Why an answer was refused, worded for the person at the form.
public enum ProofOfWorkFailure: LifelineFailure, Equatable {
    case missing
    case malformed
    case forged
    case expired
    case wrongAnswer
    case alreadyUsed
    /// The answer is right, but for an easier check than this email now calls for.
    case tooEasy

    public var kind: FailureKind { .badInput }

    public var message: String {
        switch self {
        case .missing: "the automatic check did not run: it needs JavaScript"
        case .malformed, .forged: "the automatic check's answer is not one this server gave"
        case .expired: "the automatic check expired"
        case .wrongAnswer: "the automatic check's answer is wrong"
        case .alreadyUsed: "the automatic check was already used"
        case .tooEasy: "this email was asked for many times just now, so the automatic check is harder"
        }
    }

    public var remedy: String? { "a new check has started; send the form again when it is done" }
}

/// Issues and checks ``ProofOfWorkChallenge``s.
public struct ProofOfWork: Sendable {
    static let difficultyKey = "captcha.difficulty"
    public static let defaultDifficulty = 18
    public static let difficultyRange = 8...26
    public static let lifetime: TimeInterval = 10 * 60
    private static let version = "pow1"

    public let environment: LifelineEnvironment
    private let signer: PageSigner

    public init(_ environment: LifelineEnvironment, signer: PageSigner) {
        self.environment = environment
        self.signer = signer
    }

    /// Challenges one client address or email may ask for within ``pressureWindow`` at the set
    /// difficulty; each one past them adds a bit (doubling the work), up to ``maximumExtraBits``.
    /// Proof of work is cheap for a script outside a browser; the per-address and per-email
    /// limits are the real control, and this makes a client that keeps asking pay more.
    public static let freeChallenges = 5
    public static let maximumExtraBits = 6
    public static let pressureWindow: TimeInterval = 10 * 60

    /// The bits added for a client or email that asked `recentRequests` times in the window.
    public static func extraBits(recentRequests: Int) -> Int {
        min(maximumExtraBits, max(0, recentRequests - freeChallenges))
    }

    /// A new challenge at the difficulty the settings ask for now, plus `extraBits` (from
    /// ``extraBits(recentRequests:)``), within ``difficultyRange``.
    public func issue(extraBits: Int = 0) throws -> ProofOfWorkChallenge {
        let id = environment.random.hex(16)
        let expiresAt = environment.clock.now().addingTimeInterval(Self.lifetime)
        let bits = try difficulty(extraBits: extraBits)
        let body = "\(Self.version).\(id).\(Int64(expiresAt.timeIntervalSince1970)).\(bits)"
        return ProofOfWorkChallenge(id: id, expiresAt: expiresAt, difficulty: bits, text: body + "." + signer.tag(body))
    }

    private func difficulty(extraBits: Int) throws -> Int {
        let setting = try environment.database.read { connection in            try SettingsStore(connection: connection).value(for: Self.difficultyKey).flatMap { Int($0) }
        }
        return min(Self.difficultyRange.upperBound, (setting ?? Self.defaultDifficulty) + max(0, extraBits))
    }

    /// Accepts the answer once: checks the signature, the expiry and the work, then records the
    /// challenge as spent in the same step, so a replay fails even on another server. A challenge
    /// easier than the set difficulty plus `extraBits` (the email's) is refused as too easy.
    public func accept(challenge text: String, nonce: String, extraBits: Int = 0) throws {
        guard !text.isEmpty, !nonce.isEmpty else { throw ProofOfWorkFailure.missing }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[0] == Self.version, let seconds = Int64(parts[2]), let bits = Int(parts[3]),
            nonce.utf8.count <= 20, nonce.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { throw ProofOfWorkFailure.malformed }
        guard signer.isValid(tag: parts[4], for: parts[0...3].joined(separator: ".")) else { throw ProofOfWorkFailure.forged }
        let expiresAt = Date(timeIntervalSince1970: Double(seconds))
        guard environment.clock.now() < expiresAt else { throw ProofOfWorkFailure.expired }
        guard Self.isSolved(text, nonce: nonce, bits: bits) else { throw ProofOfWorkFailure.wrongAnswer }
        guard bits >= (try difficulty(extraBits: extraBits)) else { throw ProofOfWorkFailure.tooEasy }
        let spent = try environment.database.write {
            try WebSessionStore(connection: $0).spendChallenge(id: parts[1], expiresAt: expiresAt)
        }
        guard spent else { throw ProofOfWorkFailure.alreadyUsed }
    }

    /// The work's rule, which the browser's worker (`captcha-worker.js`) follows: SHA-256 of
    /// `TEXT:NONCE` starts with `bits` zero bits.
    static func isSolved(_ text: String, nonce: String, bits: Int) -> Bool {
        leadingZeroBits(SHA256.hash(data: Array("\(text):\(nonce)".utf8))) >= bits
    }

    private static func leadingZeroBits(_ digest: SHA256.Digest) -> Int {
        var count = 0
        for byte in digest {
            if byte == 0 {
                count += 8
                continue
            }
            return count + byte.leadingZeroBitCount
        }
        return count
    }
}
