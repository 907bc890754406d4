import Crypto
import FoundationEssentials

/// The `X-Lifeline-Signature` header: `sha256=` and the hex HMAC-SHA256, under the shared
/// secret, of the `X-Lifeline-Timestamp` value, a dot, and the request body. The timestamp is
/// signed with the body so a receiver can refuse replays older than a few minutes.
///
/// One definition for both directions: the webhook gateway signs what it sends, and the
/// server checks what a provider sends to `/v1/webhooks/inbound` and `/receipts`.
public enum WebhookSignature {
    /// How far a signed timestamp may be from now, either way.
    public static let tolerance: TimeInterval = 5 * 60

    /// Whether a request is signed with `secret` and was signed within ``tolerance`` of `now`.
    public static func accepts(
        _ header: String?, timestamp: String?, body: [UInt8], secret: [UInt8], now: Date
    ) -> Bool {
        guard let header, let timestamp, let seconds = Int64(timestamp),
            abs(now.timeIntervalSince1970 - TimeInterval(seconds)) <= tolerance
        else { return false }
        return isValid(header, secret: secret, timestamp: timestamp, body: body)
    }

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
