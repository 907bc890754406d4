import FoundationEssentials
import LifelineStore
import LifelineVocabulary

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
    /// Stored with the message: opted_out, opted_in, help, no_change, answer (counted for an event's question), unhandled, unknown_number, unreadable_number.
    public let action: String
    /// The users whose consent changed.
    public let changedUsers: [String]
    /// Whether a reply was queued.
    public let replied: Bool
    /// True when the provider had delivered this message before: the first delivery's answer,
    /// and nothing changed or sent again.
    public var isRepeat = false
}

/// Consent to the continuity program: double opt-in, SMS keywords, admin records, and the
/// operator's questions. Every change is appended to the ledger in a durable transaction.
public struct ConsentService: Sendable {
    /// The program consent is recorded for.
    public static let program = Program.continuity
    /// How often a pending user may be sent a new confirmation request.
    public static let resendInterval: TimeInterval = 10 * 60
    static let programNameKey = "consent.program_name"
    static let supportContactKey = "consent.support_contact"

    public let environment: LifelineEnvironment
    public var database: Database { environment.database }
    public var clock: any WallClock { environment.clock }

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    // MARK: Flows (each call opens the database, as one CLI command does)

    /// A user asks to opt in (portal) or an admin asks on their behalf; see ``ConsentSession``.
    public func requestOptIn(email: String, source: ConsentSource, actor: String) throws -> OptInRequestOutcome {
        try withSession { try $0.requestOptIn(email: email, source: source, actor: actor) }
    }

    /// Handles a received SMS; see ``ConsentSession``.
    public func handleInbound(from: String, text: String, providerMessageID: String? = nil) throws -> InboundOutcome {
        try withSession { try $0.handleInbound(from: from, text: text, providerMessageID: providerMessageID) }
    }

    /// The user unsubscribes in the portal; see ``ConsentSession``.
    public func withdraw(email: String, actor: String) throws -> CurrentConsent {
        try withSession { try $0.withdraw(email: email, actor: actor) }
    }

    /// Records consent collected elsewhere; see ``ConsentSession``.
    public func recordAdminDecision(email: String, state: ConsentState, evidence: String, actor: String) throws -> CurrentConsent {
        try withSession { try $0.recordAdminDecision(email: email, state: state, evidence: evidence, actor: actor) }
    }

    func withSession<T>(_ body: (ConsentSession) throws -> T) throws -> T {
        let session = try ConsentSession(environment)
        defer { session.close() }
        return try body(session)
    }

    // MARK: Helpers

    func withContext<T>(_ body: (ConsentContext) throws -> T) throws -> T {
        try database.read { try body(ConsentContext(connection: $0)) }
    }
}

/// The stores one consent operation works with.
struct ConsentContext {
    let connection: any SQLConnection
    var ledger: ConsentLedger { ConsentLedger(connection: connection) }
    var outbox: OutboxStore { OutboxStore(connection: connection) }
    var directory: DirectoryStore { DirectoryStore(connection: connection) }

    func smsAttribute() throws -> (id: Int64, name: String) {
        try SMSSettings(connection: connection).requireAttribute()
    }

    /// An active user and their current SMS number, which the number rule must call valid.
    func userWithNumber(email: String) throws -> (UserRecord, String) {
        try TextLimit.email.check(email, field: "the email")
        guard let user = try directory.user(email: email.trimmingBlanks()), user.status == .active else {
            throw DirectoryFailure.userNotFound(email: email)
        }
        let attribute = try smsAttribute()
        let stored = try SMSNumberStore(connection: connection).stored(userID: user.id) ?? .missing
        if let number = stored.number { return (user, number) }
        let value = try directory.attributeValue(userID: user.id, attributeID: attribute.id)
        let reason =
            switch stored.status {
            case .fixable: "not in long format; it would be \(stored.note ?? "?") (sms verify-numbers --fix)"
            case .invalid: stored.note ?? "not a number that can receive an SMS"
            case .missing, .valid: "no number"
            }
        throw ConsentFailure.noValidNumber(email: user.email, value: value, reason: reason)
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
                channel: .sms, destination: number, body: body, kind: kind.rawValue, program: .service, userID: userID),
            at: date)
    }

    /// Stores the inbound message and returns the outcome.
    func record(
        from: String, providerMessageID: String?, number: String?, text: String, action: String, changed: [String] = [],
        replied: Bool = false, at date: Date
    ) throws -> InboundOutcome {
        try InboundStore(connection: connection).record(
            from: from, number: number, text: text, action: action, replied: replied, providerMessageID: providerMessageID, at: date)
        return InboundOutcome(action: action, changedUsers: changed, replied: replied)
    }
}
