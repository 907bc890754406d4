/// The programs a message belongs to, which decide who may be sent it.
public enum Program: String, Sendable, CaseIterable {
    /// The recurring program: continuity alerts, only to users opted in for the number.
    case continuity
    /// Replies about consent itself (confirmations, HELP answers, notices).
    case service
    /// The one-time program: verification codes, only in answer to the user's own request.
    case verification
}

/// How a message travels.
public enum MessageChannel: String, Sendable, CaseIterable {
    case sms, email
}

/// A status an outbox message can have.
public enum OutboxStatus: String, Sendable, CaseIterable {
    case queued, sending, sent, delivered, failed, suppressed
    /// Never sent because it stopped being worth sending first: its event ended, its code
    /// expired, or it waited longer than the dispatcher's ceiling.
    case expired
}
