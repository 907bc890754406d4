import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// The answer to `codes request`.
public struct VerificationRequestOutcome: Sendable, Equatable {
    public let requestID: String
    public let status: VerificationStatus
    /// When a rate-limited request could succeed.
    public let retryAfter: Date?
    /// True when this request id had been seen: the first outcome, and nothing queued.
    public let isRepeat: Bool
}

/// The answer to `codes verify`.
public enum VerificationCheck: Sendable, Equatable {
    case approved
    case incorrect(attemptsLeft: Int)
    case expired
    case maxAttemptsReached
    case alreadyUsed
    case superseded
    case notFound

    /// The word the CLI prints.
    public var name: String {
        switch self {
        case .approved: "approved"
        case .incorrect: "incorrect"
        case .expired: "expired"
        case .maxAttemptsReached: "max_attempts_reached"
        case .alreadyUsed: "already_used"
        case .superseded: "superseded"
        case .notFound: "not_found"
        }
    }
}

extension VerificationStatus {
    /// What the request answered when it was made: a code later used or replaced was sent.
    var outcomeWhenRequested: VerificationStatus {
        switch self {
        case .sent, .approved, .superseded: .sent
        case .rateLimited: .rateLimited
        case .rejected: .rejected
        }
    }
}

/// Where a request stands for operators: its stored status, or `expired` / `locked` when a
/// sent code can no longer be used.
public enum VerificationRequestState: String, Sendable, CaseIterable {
    case sent, approved, superseded, rejected, expired, locked
    case rateLimited = "rate_limited"

    init(_ status: VerificationStatus) {
        switch status {
        case .sent: self = .sent
        case .approved: self = .approved
        case .superseded: self = .superseded
        case .rateLimited: self = .rateLimited
        case .rejected: self = .rejected
        }
    }
}

/// A request as `codes status` shows it: never the code or its hash.
public struct VerificationRequestView: Sendable, Equatable {
    public let requestID: String
    public let email: String
    public let purpose: VerificationPurpose
    public let state: VerificationRequestState
    public let reason: String?
    public let number: String?
    public let attempts: Int
    public let createdAt: Date
    public let expiresAt: Date?
    public let usedAt: Date?
    public let retryAfter: Date?
    public let channel: MessageChannel
    /// The flow that made it.
    public let origin: VerificationOrigin
}

/// What one purge run did.
public struct PurgeSummary: Sendable, Equatable {
    public var requestsDeleted = 0
    public var messagesDeleted = 0
    public var batches = 0
    /// The most rows one transaction deleted.
    public var largestBatch = 0
    public var seconds = 0.0
    public var slowestBatchMilliseconds = 0.0
    public var rows: Int { requestsDeleted + messagesDeleted }
}

/// A verification request that cannot be made.
public enum VerificationFailure: LifelineFailure, Equatable {
    case invalidRequestID(String)
    case requestIDReused(requestID: String)

    public var kind: FailureKind { .usage }

    public var message: String {
        switch self {
        case .invalidRequestID(let id):
            "request id '\(id)' must be 1 to 100 letters, digits, '-', '_', '.' or ':'"
        case .requestIDReused(let id):
            "request id '\(id)' was already used for another email or purpose"
        }
    }

    public var remedy: String? {
        switch self {
        case .invalidRequestID: nil
        case .requestIDReused: "use a new request id for each end-user request"
        }
    }
}
