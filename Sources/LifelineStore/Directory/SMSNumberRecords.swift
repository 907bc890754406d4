import LifelineVocabulary
/// A user's judged SMS number, as stored on the user's row.
public struct StoredSMSNumber: Sendable, Equatable {
    public let status: SMSNumberStatus
    /// The long-format number sent to, exactly when `status` is valid.
    public let number: String?
    /// Why it is not valid: the problem, or the long form a fixable value would become; for a
    /// valid one, that the value is not in long format, when it is not.
    public let note: String?

    public init(status: SMSNumberStatus, number: String?, note: String?) {
        self.status = status
        self.number = number
        self.note = note
    }

    /// A user with no value.
    public static let missing = StoredSMSNumber(status: .missing, number: nil, note: nil)
}
