import Crypto
import FoundationEssentials
import Glibc

/// The keys derived from Lifeline's one secret, which lives outside the database (see
/// ``SecretSource``).
///
/// Replacing the secret rotates every key: live codes can no longer be checked and sealed
/// messages no longer opened; nothing else depends on it.
public struct SecretKeys: Sendable {
    /// Keys the HMAC of each code.
    let codeKey: SymmetricKey
    /// Seals SMS bodies that carry a code (AES-256-GCM).
    let messageKey: SymmetricKey
    /// Signs what the pages hand to a browser and take back: captcha challenges, CSRF tokens.
    let pageKey: SymmetricKey
    /// Makes the tokens in the URLs Kannel calls back on, since Kannel cannot sign a request.
    let kannelKey: SymmetricKey
    /// A short public fingerprint of the secret, stored with each code so a rotation is noticed.
    public let keyID: String

    /// The secret's size: 32 random bytes.
    public static let secretBytes = 32

    /// The one format of a secret, in a key file or `LIFELINE_SECRET`: 64 hexadecimal digits
    /// (32 bytes), surrounding white space ignored. `origin` names where it came from.
    public static func parse(_ text: String, from origin: String) throws -> [UInt8] {
        let trimmed = text.trimmingBlanks().filter { $0 != "\n" && $0 != "\r" }
        guard let bytes = Hex.bytes(trimmed), bytes.count == secretBytes else {
            throw SecretFailure.badFormat(origin: origin, length: trimmed.count)
        }
        return bytes
    }

    /// Derives the keys from a secret of at least 16 bytes.
    public init(secret: [UInt8]) throws {
        guard secret.count >= 16 else { throw SecretFailure.tooShort(length: secret.count) }
        let material = SymmetricKey(data: secret)
        func derive(_ purpose: String, bytes: Int = 32) -> SymmetricKey {
            HKDF<SHA256>.deriveKey(
                inputKeyMaterial: material, salt: Array("lifeline".utf8), info: Array(purpose.utf8), outputByteCount: bytes)
        }
        codeKey = derive("verification-code-hmac-v1")
        messageKey = derive("outbox-seal-aes-gcm-v1")
        pageKey = derive("web-pages-hmac-v1")
        kannelKey = derive("kannel-callback-hmac-v1")
        keyID = derive("key-id-v1", bytes: 6).withUnsafeBytes { Hex.string($0) }
    }
}
