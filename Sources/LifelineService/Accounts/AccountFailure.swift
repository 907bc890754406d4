/// A password reset or login step that cannot be taken.
public enum AccountFailure: LifelineFailure, Equatable {
    case resetNotApproved(requestID: String)
    case resetAlreadyCompleted(requestID: String)
    case approvalExpired(requestID: String, minutes: Int)
    case passwordRejected([PasswordRule])
    case emptyPassword

    public var kind: FailureKind {
        switch self {
        case .passwordRejected, .emptyPassword: .badInput
        case .resetNotApproved, .resetAlreadyCompleted, .approvalExpired: .usage
        }
    }

    public var message: String {
        switch self {
        case .resetNotApproved(let id):
            "reset request '\(id)' has no approved code: run `lifeline reset verify \(id) CODE` first"
        case .resetAlreadyCompleted(let id):
            "reset request '\(id)' was already completed; a reset completes once"
        case .approvalExpired(let id, let minutes):
            "the approval of reset request '\(id)' ended \(minutes) minutes after the code was verified"
        case .passwordRejected(let rules):
            "the password does not meet the policy: " + rules.map(\.description).joined(separator: "; ")
        case .emptyPassword:
            "no password was given"
        }
    }

    public var remedy: String? {
        switch self {
        case .resetNotApproved, .emptyPassword: nil
        case .resetAlreadyCompleted, .approvalExpired: "start a new reset with `lifeline reset start EMAIL`"
        case .passwordRejected: "choose another password (`lifeline policy show` lists the rules)"
        }
    }
}
