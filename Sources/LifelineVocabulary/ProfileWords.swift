/// How a profile lets its users reset their password.
public enum ResetOptions: String, Sendable, CaseIterable {
    case notAllowed = "not_allowed"
    case email
    case sms
    case emailOrSMS = "email_or_sms"
}

/// Whether a profile's users log in with a code by SMS as well as their password.
public enum TwoStep: String, Sendable, CaseIterable {
    case off, sms
}
