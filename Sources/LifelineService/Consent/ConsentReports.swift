import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// One line of `optin status`: a user's current consent for their current number.
public struct ConsentStatusLine: Sendable, Equatable {
    public let email: String
    public let number: String?
    public let state: ConsentState
    public let since: Date?
    public let source: ConsentSource?
    /// The evidence of the ledger row that set the state.
    public let evidence: String?
}

/// The answer to one lookup among many: its lines, or why that lookup alone failed.
public enum ConsentStatusAnswer: Sendable {
    case lines([ConsentStatusLine])
    case failure(any LifelineFailure)
}

/// The counts of `optin summary`.
public struct ConsentSummary: Sendable, Equatable {
    public var none = 0
    public var pending = 0
    public var optedIn = 0
    public var optedOut = 0
    /// Active users whose SMS value is missing or not a long-format number.
    public var noValidNumber = 0
    public var total: Int { none + pending + optedIn + optedOut + noValidNumber }
}

extension ConsentService {
    /// The current consent of a user (by email) or of every user of a number.
    public func status(of emailOrNumber: String) throws -> [ConsentStatusLine] {
        try withContext { context in try context.connection.read { try status(of: emailOrNumber, in: context) } }
    }

    /// The consent of many users or numbers, one connection for all: `answer` gets each lookup's
    /// lines, or the failure that lookup alone met (an unknown email does not stop the others).
    public func statuses(of lookups: some Sequence<String>, answer: (String, ConsentStatusAnswer) throws -> Void) throws {
        try withContext { context in
            for lookup in lookups {
                let result: ConsentStatusAnswer
                do {
                    result = .lines(try context.connection.read { try status(of: lookup, in: context) })
                } catch let failure as DirectoryFailure {
                    result = .failure(failure)
                } catch let failure as ConsentFailure {
                    result = .failure(failure)
                }
                try answer(lookup, result)
            }
        }
    }

    private func status(of emailOrNumber: String, in context: ConsentContext) throws -> [ConsentStatusLine] {
        let attribute = try context.smsAttribute()
        let listings: [ConsentListing]
        if emailOrNumber.contains("@") {
            guard let user = try context.directory.user(email: emailOrNumber.trimmingBlanks()) else {
                throw DirectoryFailure.userNotFound(email: emailOrNumber)
            }
            let value = try context.directory.attributeValue(userID: user.id, attributeID: attribute.id)
            let number = try SMSNumberStore(connection: context.connection).stored(userID: user.id)?.number
            let current =
                try number.map { try context.ledger.current(userID: user.id, number: $0, program: Self.program) }
                ?? .none
            listings = [
                ConsentListing(
                    userID: user.id, email: user.email, number: value, state: current.state,
                    source: current.source, since: current.since, ledgerID: current.ledgerID)
            ]
        } else {
            guard let number = PhoneNumberNormalizer().verdict(for: emailOrNumber).longFormat else {
                throw ConsentFailure.unreadableNumber(emailOrNumber)
            }
            listings = try context.ledger.users(withNumber: number, program: Self.program)
        }
        return try listings.map { listing in
            ConsentStatusLine(
                email: listing.email, number: listing.number, state: listing.state, since: listing.since,
                source: listing.source, evidence: try listing.ledgerID.flatMap(context.ledger.evidence))
        }
    }

    /// Streams active users with their current consent, by email; optionally one state or group,
    /// and one page: the users after the email `after`, at most `limit` of them.
    public func forEachListing(
        state: ConsentState?, group: String?, after: String? = nil, limit: Int? = nil,
        _ body: (ConsentListing) throws -> Void
    ) throws {
        try withContext { context in
            try context.connection.read {
                let groupID = try group.map { try context.groupID(named: $0) }
                try context.ledger.forEachListing(
                    smsAttributeID: try context.smsAttribute().id, program: Self.program, groupID: groupID, state: state,
                    after: after, limit: limit, body)
            }
        }
    }

    /// Counts of active users per state, and those with no valid number.
    public func summary(group: String?) throws -> ConsentSummary {
        try withContext { context in
            try context.connection.read {
                let groupID = try group.map { try context.groupID(named: $0) }
                _ = try context.smsAttribute()
                let counts = try context.ledger.summary(program: Self.program, groupID: groupID)
                var summary = ConsentSummary()
                summary.none = counts["none"] ?? 0
                summary.pending = counts[ConsentState.pending.rawValue] ?? 0
                summary.optedIn = counts[ConsentState.optedIn.rawValue] ?? 0
                summary.optedOut = counts[ConsentState.optedOut.rawValue] ?? 0
                summary.noValidNumber = counts["no_number"] ?? 0
                return summary
            }
        }
    }

    /// The ledger rows of a user (every number they had) or a number (every user), oldest first:
    /// the consent evidence export.
    public func history(of emailOrNumber: String) throws -> [ConsentEntry] {
        try withContext { context in
            if emailOrNumber.contains("@") {
                guard let user = try context.directory.user(email: emailOrNumber.trimmingBlanks()) else {
                    throw DirectoryFailure.userNotFound(email: emailOrNumber)
                }
                return try context.ledger.history(userID: user.id, program: Self.program)
            }
            guard let number = PhoneNumberNormalizer().verdict(for: emailOrNumber).longFormat else {
                throw ConsentFailure.unreadableNumber(emailOrNumber)
            }
            return try context.ledger.history(number: number, program: Self.program)
        }
    }
}

extension ConsentContext {
    func groupID(named name: String) throws -> Int64 {
        try directory.requireGroupID(named: name)
    }
}
