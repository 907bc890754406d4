/// Which pages a session belongs to: a portal session never opens the console.
public enum WebArea: String, Sendable, CaseIterable {
    case portal
    case console
}

/// How far a sign-in has gone: the password was right and the SMS code is awaited, or done.
public enum WebSessionStage: String, Sendable {
    case secondFactor = "second_factor"
    case signedIn = "signed_in"
}
