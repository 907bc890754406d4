import Foundation
import LifelineStore

/// What `optin request` did.
public enum OptInRequestOutcome: Sendable, Equatable {
    /// Now pending; a confirmation request was queued.
    case confirmationQueued
    /// Already pending; a new confirmation request was queued (the last one was 10+ minutes ago).
    case confirmationResent
    /// Already pending and asked less than 10 minutes ago: nothing was sent.
    case alreadyPending(lastSentAt: Date)
    /// Already opted in: nothing to do.
    case alreadyOptedIn
}

/// What an inbound SMS did.
public struct InboundOutcome: Sendable, Equatable {
    /// Stored with the message: opted_out, opted_in, help, no_change, unhandled, unknown_number, unreadable_number.
    public let action: String
    /// The users whose consent changed.
    public let changedUsers: [String]
    /// Whether a reply was queued.
    public let replied: Bool
}

/// Consent to the continuity program: double opt-in, SMS keywords, admin records, and the
/// operator's questions. Every change is appended to the ledger in a durable transaction.
public struct ConsentService: Sendable {
    /// The program consent is recorded for.
    public static let program = "continuity"
    /// How often a pending user may be sent a new confirmation request.
    public static let resendInterval: TimeInterval = 10 * 60
    static let programNameKey = "consent.program_name"
    static let supportContactKey = "consent.support_contact"

    public let settings: DatabaseSettings
    public let clock: any WallClock

    public init(settings: DatabaseSettings, clock: any WallClock = SystemClock()) {
        self.settings = settings
        self.clock = clock
    }

    // MARK: Flows

    /// A user asks to opt in (portal) or an admin asks on their behalf: the state becomes pending
    /// and a confirmation request is queued to the user's number.
    public func requestOptIn(email: String, source: ConsentSource, actor: String) throws -> OptInRequestOutcome {
        guard source == .portal || source == .admin else {
            throw ConsentFailure.notAllowed("an opt-in request comes from the portal or an admin, not \(source.rawValue)")
        }
        return try withContext { context in
            try context.connection.durableWrite {
                let (user, number) = try context.userWithNumber(email: email)
                let current = try context.ledger.current(userID: user.id, number: number, program: Self.program)
                let now = clock.now()
                switch current.state {
                case .optedIn:
                    return .alreadyOptedIn
                case .pending:
                    let last = try context.outbox.lastQueued(
                        kind: ConsentMessageKind.confirmationRequest.rawValue, userID: user.id, destination: number)
                    if let last, now.timeIntervalSince(last) < Self.resendInterval { return .alreadyPending(lastSentAt: last) }
                    try context.queue(.confirmationRequest, to: number, userID: user.id, at: now)
                    return .confirmationResent
                case .optedOut where source == .admin:
                    if try context.ledger.lastOptOutSource(userID: user.id, number: number, program: Self.program) == .smsKeyword {
                        throw ConsentFailure.optedOutByKeyword(email: user.email, number: number)
                    }
                    fallthrough
                case .none, .optedOut:
                    try context.ledger.append(
                        ConsentChange(
                            userID: user.id, number: number, program: Self.program, state: .pending, source: source,
                            actor: actor, evidence: "opt-in requested", at: now))
                    try context.queue(.confirmationRequest, to: number, userID: user.id, at: now)
                    return .confirmationQueued
                }
            }
        }
    }

    /// Handles a received SMS: STOP opts every user of the number out at once, START/YES opts in
    /// a pending or keyword-opted-out user, HELP answers; anything else changes nothing.
    public func handleInbound(from: String, text: String) throws -> InboundOutcome {
        try withContext { context in
            try context.connection.durableWrite {
                let now = clock.now()
                let keyword = ConsentKeyword(message: text)
                guard let number = PhoneNumberNormalizer().verdict(for: from).longFormat else {
                    return try context.record(from: from, number: nil, text: text, action: "unreadable_number", at: now)
                }
                // With no SMS attribute chosen no user has a number yet; the message is still stored.
                let attribute = try SMSSettings(connection: context.connection).attribute()
                let users = try attribute.map {
                    try context.ledger.users(withNumber: number, smsAttributeID: $0.id, program: Self.program)
                } ?? []
                guard let keyword else {
                    return try context.record(from: from, number: number, text: text, action: "unhandled", at: now)
                }
                guard !users.isEmpty else {
                    return try context.record(from: from, number: number, text: text, action: "unknown_number", at: now)
                }
                let actor = "sms:\(number)"
                switch keyword {
                case .help:
                    try context.queue(.help, to: number, userID: users[0].userID, at: now)
                    return try context.record(from: from, number: number, text: text, action: "help", replied: true, at: now)
                case .optOut:
                    let changing = users.filter { $0.state != .optedOut }
                    for user in changing {
                        try context.ledger.append(
                            ConsentChange(
                                userID: user.userID, number: number, program: Self.program, state: .optedOut,
                                source: .smsKeyword, actor: actor, evidence: text, at: now))
                    }
                    guard !changing.isEmpty else {
                        return try context.record(from: from, number: number, text: text, action: "no_change", at: now)
                    }
                    try context.queue(.optedOut, to: number, userID: changing[0].userID, at: now)
                    return try context.record(
                        from: from, number: number, text: text, action: "opted_out", changed: changing.map(\.email),
                        replied: true, at: now)
                case .optIn:
                    var changing: [ConsentListing] = []
                    for user in users {
                        let eligible =
                            user.state == .pending || (user.state == .optedOut && user.source == .smsKeyword)
                        if eligible { changing.append(user) }
                    }
                    for user in changing {
                        try context.ledger.append(
                            ConsentChange(
                                userID: user.userID, number: number, program: Self.program, state: .optedIn,
                                source: .smsKeyword, actor: actor, evidence: text, at: now))
                    }
                    guard !changing.isEmpty else {
                        return try context.record(from: from, number: number, text: text, action: "no_change", at: now)
                    }
                    try context.queue(.optedIn, to: number, userID: changing[0].userID, at: now)
                    return try context.record(
                        from: from, number: number, text: text, action: "opted_in", changed: changing.map(\.email),
                        replied: true, at: now)
                }
            }
        }
    }

    /// Records consent collected elsewhere (a signed form). Admins may always opt out; they may
    /// never opt in a number whose last opt-out the user sent by SMS.
    public func recordAdminDecision(email: String, state: ConsentState, evidence: String, actor: String) throws -> CurrentConsent {
        guard state == .optedIn || state == .optedOut else {
            throw ConsentFailure.notAllowed("an admin records opted-in or opted-out, not \(state.rawValue)")
        }
        let evidence = evidence.trimmingBlanks()
        guard !evidence.isEmpty else { throw ConsentFailure.evidenceRequired }
        return try withContext { context in
            try context.connection.durableWrite {
                let (user, number) = try context.userWithNumber(email: email)
                if state == .optedIn,
                    try context.ledger.lastOptOutSource(userID: user.id, number: number, program: Self.program) == .smsKeyword
                {
                    throw ConsentFailure.optedOutByKeyword(email: user.email, number: number)
                }
                try context.ledger.append(
                    ConsentChange(
                        userID: user.id, number: number, program: Self.program, state: state, source: .admin,
                        actor: actor, evidence: evidence, at: clock.now()))
                return try context.ledger.current(userID: user.id, number: number, program: Self.program)
            }
        }
    }

    // MARK: Helpers

    func withContext<T>(_ body: (ConsentContext) throws -> T) throws -> T {
        let connection = try settings.openCurrent()
        defer { connection.close() }
        return try settings.translatingErrors { try body(ConsentContext(connection: connection)) }
    }
}

/// The stores one consent operation works with.
struct ConsentContext {
    let connection: SQLiteConnection
    var ledger: ConsentLedger { ConsentLedger(connection: connection) }
    var outbox: OutboxStore { OutboxStore(connection: connection) }
    var directory: DirectoryStore { DirectoryStore(connection: connection) }

    func smsAttribute() throws -> AttributeDefinition {
        try SMSSettings(connection: connection).requireAttribute()
    }

    /// An active user and their current SMS number, which must be in long format.
    func userWithNumber(email: String) throws -> (UserRecord, String) {
        guard let user = try directory.user(email: email.trimmingBlanks()), user.status == .active else {
            throw DirectoryFailure.userNotFound(email: email)
        }
        let value = try directory.attributeValue(userID: user.id, attributeID: try smsAttribute().id)
        switch PhoneNumberNormalizer().verdict(for: value ?? "") {
        case .valid(let number): return (user, number)
        case .missing: throw ConsentFailure.noValidNumber(email: user.email, value: nil, reason: "no number")
        case .invalid(let problem): throw ConsentFailure.noValidNumber(email: user.email, value: value, reason: "\(problem)")
        case .fixable(let long):
            throw ConsentFailure.noValidNumber(email: user.email, value: value, reason: "not in long format; it would be \(long)")
        }
    }

    func messages() throws -> ConsentMessages {
        let settings = SettingsStore(connection: connection)
        return ConsentMessages(
            programName: try settings.value(for: ConsentService.programNameKey) ?? "Lifeline outage alerts",
            supportContact: try settings.value(for: ConsentService.supportContactKey) ?? "your IT service desk")
    }

    /// Queues one of the program's service messages (allowed without opt-in: they answer the user).
    func queue(_ kind: ConsentMessageKind, to number: String, userID: Int64, at date: Date) throws {
        let texts = try messages()
        let body: String =
            switch kind {
            case .confirmationRequest: texts.confirmationRequest
            case .optedIn: texts.optedIn
            case .optedOut: texts.optedOut
            case .help: texts.help
            }
        try outbox.enqueue(
            OutgoingMessage(
                channel: "sms", destination: number, body: body, kind: kind.rawValue, program: "service", userID: userID),
            at: date)
    }

    /// Stores the inbound message and returns the outcome.
    func record(
        from: String, number: String?, text: String, action: String, changed: [String] = [], replied: Bool = false,
        at date: Date
    ) throws -> InboundOutcome {
        try InboundStore(connection: connection).record(from: from, number: number, text: text, action: action, at: date)
        return InboundOutcome(action: action, changedUsers: changed, replied: replied)
    }
}
