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
