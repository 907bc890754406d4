/// A consent change or query that cannot be done.
public enum ConsentFailure: LifelineFailure, Equatable {
    /// The user has no SMS number in long format to consent for.
    case noValidNumber(email: String, value: String?, reason: String)
    /// Only the user, from that phone, can undo an opt-out they sent by SMS.
    case optedOutByKeyword(email: String, number: String)
    case evidenceRequired
    case unreadableNumber(String)
    case notAllowed(String)

    public var kind: FailureKind {
        switch self {
        case .noValidNumber, .optedOutByKeyword, .unreadableNumber: .badInput
        case .evidenceRequired, .notAllowed: .usage
        }
    }

    public var message: String {
        switch self {
        case .noValidNumber(let email, let value, let reason):
            "\(email) has no usable SMS number" + (value.map { " ('\($0)': \(reason))" } ?? " (\(reason))")
        case .optedOutByKeyword(let email, let number):
            "\(email) opted out by SMS from \(number): only the user can opt back in, by texting START from that phone"
        case .evidenceRequired: "evidence is required: say where the consent was collected (a signed form, a ticket)"
        case .unreadableNumber(let text): "'\(text)' is not a phone number that can be read in long format"
        case .notAllowed(let text): text
        }
    }

    public var remedy: String? {
        switch self {
        case .noValidNumber: "fix the number (`lifeline sms verify-numbers --fix`) or the directory"
        default: nil
        }
    }
}
