/// What a user's SMS value is worth, as the service's number rule judged it.
public enum SMSNumberStatus: String, Sendable, CaseIterable, SQLiteRawValue {
    /// A number messages are sent to: in long format, or deliverable (its country named, or
    /// national in the default country; the note then says it is not in long format).
    case valid
    /// No value.
    case missing
    /// Not a number that can receive an SMS.
    case invalid
    /// Probably a number, written without naming its country (long format with separators or a
    /// trunk 0): usable once `sms verify-numbers --fix` rewrites it.
    case fixable
}

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
