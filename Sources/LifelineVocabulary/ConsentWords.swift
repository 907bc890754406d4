/// A consent state. `none` is never stored: it is the absence of a row for the number.
public enum ConsentState: String, Sendable, CaseIterable {
    case none
    case pending
    case optedIn = "opted_in"
    case optedOut = "opted_out"
}

/// Where a consent change came from.
public enum ConsentSource: String, Sendable, CaseIterable {
    case portal
    case smsKeyword = "sms_keyword"
    case admin
}
