import Crypto

/// HMAC-SHA256 with a key derived from Lifeline's secret, for values the pages hand to a browser
/// and must recognise when they come back (captcha challenges, CSRF tokens). Rotating the secret
/// voids them all, which costs a visitor one reloaded form.
public struct PageSigner: Sendable {
    private let key: SymmetricKey

    /// Reads (or, on first use, creates) the secret as code requests do.
    public init(_ environment: LifelineEnvironment) throws {
        guard let keys = try VerificationService(environment).keys(create: true) else { throw SecretFailure.missing }
        key = keys.pageKey
    }

    init(keys: SecretKeys) {
        key = keys.pageKey
    }

    /// The tag of `text`, as 64 lowercase hex digits.
    public func tag(_ text: String) -> String {
        Hex.string(Array(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key)))
    }

    /// Whether `tag` is the tag of `text`, compared in constant time.
    public func isValid(tag: String, for text: String) -> Bool {
        ConstantTime.equal(Array(tag.utf8), Array(self.tag(text).utf8))
    }
}
