import FoundationEssentials
import LifelineVocabulary

/// One ledger row.
public struct ConsentEntry: Sendable, Equatable {
    public let id: Int64
    public let userID: Int64
    public let email: String
    public let number: String
    public let program: Program
    public let state: ConsentState
    public let source: ConsentSource
    public let actor: String
    public let evidence: String
    public let recordedAt: Date
}

/// A user's current consent for one number.
public struct CurrentConsent: Sendable, Equatable {
    public let state: ConsentState
    public let source: ConsentSource?
    public let since: Date?
    /// The ledger row that set it.
    public let ledgerID: Int64?

    /// No row: never asked for this number.
    public static let none = CurrentConsent(state: .none, source: nil, since: nil, ledgerID: nil)
}

/// A change to append to the ledger.
public struct ConsentChange: Sendable {
    public let userID: Int64
    public let number: String
    public let program: Program
    public let state: ConsentState
    public let source: ConsentSource
    public let actor: String
    public let evidence: String
    public let at: Date

    public init(
        userID: Int64, number: String, program: Program, state: ConsentState, source: ConsentSource, actor: String,
        evidence: String, at: Date
    ) {
        self.userID = userID
        self.number = number
        self.program = program
        self.state = state
        self.source = source
        self.actor = actor
        self.evidence = evidence
        self.at = at
    }
}
