import Crypto
import FoundationEssentials
import LifelineService

/// Twilio's request signature (`X-Twilio-Signature`): base64 of HMAC-SHA1, keyed with the auth
/// token, over the full URL Twilio called followed by every POST parameter sorted by name,
/// each as name then value. Written here because it is a few lines over swift-crypto; the
/// tests check it against vectors from Twilio's own implementation (scripts/twilio-signature-vectors).
public enum TwilioSignature {
    public static func expected(authToken: String, url: String, parameters: [(name: String, value: String)]) -> String {
        var message = Array(url.utf8)
        // Sorted by name's bytes, as Twilio's libraries sort; a name given twice keeps its order.
        for (name, value) in parameters.enumerated().sorted(by: { left, right in
            left.element.name.utf8.lexicographicallyPrecedes(right.element.name.utf8)
                || (left.element.name == right.element.name && left.offset < right.offset)
        }).map(\.element) {
            message += Array(name.utf8) + Array(value.utf8)
        }
        let code = HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: Array(authToken.utf8)))
        return Data(code).base64EncodedString()
    }

    /// Whether `presented` is the signature of this request, compared in constant time.
    public static func isValid(
        _ presented: String, authToken: String, url: String, parameters: [(name: String, value: String)]
    ) -> Bool {
        ConstantTime.equal(Array(presented.utf8), Array(expected(authToken: authToken, url: url, parameters: parameters).utf8))
    }
}

/// `application/x-www-form-urlencoded` fields, decoded: `+` is a space, `%XX` a byte.
enum FormFields {
    static func parse(_ body: [UInt8]) -> [(name: String, value: String)] {
        body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    private static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.endIndex,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
