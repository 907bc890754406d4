/// The texts of the account notices: each tells the user what happened and what to do if it
/// was not them, and none carries a secret (they are stored in clear).
enum AccountMessages {
    static let resetNotAllowed =
        "Your account cannot reset its password by itself. Please contact your administrator to reset it."

    static let passwordChanged =
        "Your password was just changed. If this was not you, contact your administrator now."

    static func twoStepNumberChanged(newNumber: String) -> String {
        "2-step sign-in for your account now uses the number ending \(newNumber.suffix(4)). "
            + "If this was not you, contact your administrator now."
    }
}
