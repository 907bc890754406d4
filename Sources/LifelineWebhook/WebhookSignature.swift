import Crypto
import LifelineService

/// The `X-Lifeline-Signature` header: `sha256=` and the hex HMAC-SHA256, under the shared
/// secret, of the `X-Lifeline-Timestamp` value, a dot, and the request body. The timestamp is
/// signed with the body so a receiver can refuse replays older than a few minutes.
public enum WebhookSignature {
    public static func header(secret: [UInt8], timestamp: String, body: [UInt8]) -> String {
        var authenticator = HMAC<SHA256>(key: SymmetricKey(data: secret))
        authenticator.update(data: Array(timestamp.utf8))
        authenticator.update(data: [UInt8(ascii: ".")])
        authenticator.update(data: body)
        return "sha256=" + Hex.string(authenticator.finalize())
    }

    /// Whether `header` is the signature of this timestamp and body, compared in constant time.
    public static func isValid(_ header: String, secret: [UInt8], timestamp: String, body: [UInt8]) -> Bool {
        ConstantTime.equal(Array(Self.header(secret: secret, timestamp: timestamp, body: body).utf8), Array(header.utf8))
    }
}
