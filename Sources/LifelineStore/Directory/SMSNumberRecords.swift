/// What a user's SMS value is worth, as the service's number rule judged it.
public enum SMSNumberStatus: String, Sendable, CaseIterable, SQLiteRawValue {
    /// In long format: the only numbers anything is sent to.
    case valid
    /// No value.
    case missing
    /// Not a number that can receive an SMS.
    case invalid
    /// A number, not written in long format: usable once `sms verify-numbers --fix` rewrites it.
    case fixable
}

/// A user's judged SMS number, as stored on the user's row.
public struct StoredSMSNumber: Sendable, Equatable {
    public let status: SMSNumberStatus
    /// The long-format number, exactly when `status` is valid.
    public let number: String?
    /// Why it is not valid: the problem, or the long form a fixable value would become.
    public let note: String?

    public init(status: SMSNumberStatus, number: String?, note: String?) {
        self.status = status
        self.number = number
        self.note = note
    }

    /// A user with no value.
    public static let missing = StoredSMSNumber(status: .missing, number: nil, note: nil)
}
