import Crypto

/// The tokens in the URLs Kannel calls back on. Kannel cannot sign a request, so each URL
/// carries an HMAC, under a key derived from Lifeline's one secret, of what it is for:
///
/// - a delivery receipt's `dlr-url` carries one per message, so a receipt for one message
///   cannot be replayed onto another;
/// - the `sms-service` `get-url` for replies carries one for the installation (it is fixed in
///   `kannel.conf`).
///
/// Rotating the secret changes both: run `lifeline kannel config` again.
public struct KannelTokens: Sendable {
    private let key: SymmetricKey

    public init(keys: SecretKeys) {
        key = keys.kannelKey
    }

    /// The token for message `id`'s delivery receipts.
    public func receipt(messageID id: Int64) -> String {
        token(for: "receipt:\(id)")
    }

    /// The token for replies.
    public var replies: String { token(for: "replies") }

    public func acceptsReceipt(_ presented: String, messageID id: Int64) -> Bool {
        ConstantTime.equal(Array(presented.utf8), Array(receipt(messageID: id).utf8))
    }

    public func acceptsReplies(_ presented: String) -> Bool {
        ConstantTime.equal(Array(presented.utf8), Array(replies.utf8))
    }

    /// 128 bits of the HMAC, in hex: enough against guessing, short enough for a URL.
    private func token(for purpose: String) -> String {
        Hex.string(HMAC<SHA256>.authenticationCode(for: Array(purpose.utf8), using: key).prefix(16))
    }
}
