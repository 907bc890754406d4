import Crypto
import LifelineStore
import LifelineVocabulary

/// Making, hashing and comparing codes. A code exists in clear only in memory, in the sealed
/// outbox body, and in the SMS itself.
enum VerificationCode {
    /// What the outbox's `body` column holds for a message that carries a code.
    static let placeholder = "[verification code: sealed]"

    /// Decimal digits, each uniform, from the environment's random source (the CSPRNG).
    static func generate(digits: Int, random: any RandomSource) -> String {
        random.digits(digits)
    }

    /// HMAC-SHA256 over the request id, a zero byte and the code.
    static func hmac(_ code: String, requestID: String, keys: SecretKeys) -> [UInt8] {
        var authenticator = HMAC<SHA256>(key: keys.codeKey)
        authenticator.update(data: Array(requestID.utf8))
        authenticator.update(data: [0])
        authenticator.update(data: Array(code.utf8))
        return Array(authenticator.finalize())
    }


    /// The SMS. It says what the code is for and that nobody will ask for it.
    static func message(_ code: String, purpose: VerificationPurpose, minutes: Int) -> String {
        let use = purpose == .passwordReset ? "password reset" : "sign-in"
        return "Your \(use) code is \(code). It expires in \(minutes) minutes. Never share it: nobody will ask you for it."
    }
}
