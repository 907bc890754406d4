/// Which program a code is for.
public enum VerificationPurpose: String, Sendable, CaseIterable {
    case passwordReset = "password_reset"
    case twoStep = "two_step"
}

/// What became of a verification request.
public enum VerificationStatus: String, Sendable, CaseIterable {
    /// A code was queued; it is live until it expires, is used, superseded or locked.
    case sent
    case approved
    case superseded
    /// Over a limit: nothing was sent.
    case rateLimited = "rate_limited"
    /// No active user with a valid SMS number: nothing was sent.
    case rejected
}

/// Which flow made a request: a reset completes, and a login finishes, only from its own.
public enum VerificationOrigin: String, Sendable, CaseIterable {
    case codes, reset, login
}
