import Crypto

/// The `X-Lifeline-Signature` header: `sha256=` and the hex HMAC-SHA256, under the shared
/// secret, of the `X-Lifeline-Timestamp` value, a dot, and the request body. The timestamp is
/// signed with the body so a receiver can refuse replays older than a few minutes.
public enum WebhookSignature {
    public static func header(secret: [UInt8], timestamp: String, body: [UInt8]) -> String {
        var authenticator = HMAC<SHA256>(key: SymmetricKey(data: secret))
        authenticator.update(data: Array(timestamp.utf8))
        authenticator.update(data: [UInt8(ascii: ".")])
        authenticator.update(data: body)
        let digest = authenticator.finalize()
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = Array("sha256=".utf8)
        for byte in digest { text += [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]] }
        return String(decoding: text, as: UTF8.self)
    }

    /// Whether `header` is the signature of this timestamp and body, compared in constant time.
    public static func isValid(_ header: String, secret: [UInt8], timestamp: String, body: [UInt8]) -> Bool {
        let expected = Array(Self.header(secret: secret, timestamp: timestamp, body: body).utf8)
        let given = Array(header.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
