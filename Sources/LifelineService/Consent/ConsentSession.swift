import Foundation
import LifelineStore

/// Consent flows on one open connection: what a server or a batch of inbound messages uses,
/// so each message costs its durable commit and not a new connection.
///
/// Not `Sendable`, like the connection it holds: one task at a time.
public final class ConsentSession {
    let settings: DatabaseSettings
    let clock: any WallClock
    let context: ConsentContext

    /// Opens the database (its schema must be current).
    public init(settings: DatabaseSettings, clock: any WallClock = SystemClock()) throws {
        self.settings = settings
        self.clock = clock
        self.context = ConsentContext(connection: try settings.openCurrent())
    }

    /// Closes the connection.
    public func close() {
        context.connection.close()
    }

    /// A user asks to opt in (portal) or an admin asks on their behalf: the state becomes pending
    /// and a confirmation request is queued to the user's number.
    public func requestOptIn(email: String, source: ConsentSource, actor: String) throws -> OptInRequestOutcome {
        guard source == .portal || source == .admin else {
            throw ConsentFailure.notAllowed("an opt-in request comes from the portal or an admin, not \(source.rawValue)")
        }
        return try settings.translatingErrors {
            try context.connection.durableWrite {
                let (user, number) = try context.userWithNumber(email: email)
                let current = try context.ledger.current(userID: user.id, number: number, program: ConsentService.program)
                let now = clock.now()
                switch current.state {
                case .optedIn:
                    return .alreadyOptedIn
                case .pending:
                    let last = try context.outbox.lastQueued(
                        kind: ConsentMessageKind.confirmationRequest.rawValue, userID: user.id, destination: number)
                    if let last, now.timeIntervalSince(last) < ConsentService.resendInterval { return .alreadyPending(lastSentAt: last) }
                    try context.queue(.confirmationRequest, to: number, userID: user.id, at: now)
                    return .confirmationResent
                case .optedOut where source == .admin:
                    if try context.ledger.lastOptOutSource(userID: user.id, number: number, program: ConsentService.program) == .smsKeyword {
                        throw ConsentFailure.optedOutByKeyword(email: user.email, number: number)
                    }
                    fallthrough
                case .none, .optedOut:
                    try context.ledger.append(
                        ConsentChange(
                            userID: user.id, number: number, program: ConsentService.program, state: .pending, source: source,
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
        // Only an opt-out or opt-in keyword can change consent: those commit with a full sync.
        // HELP and free text are stored at the connection's usual level.
        let keyword = ConsentKeyword(message: text)
        let mayChangeConsent = keyword == .optOut || keyword == .optIn
        let transaction: (() throws -> InboundOutcome) throws -> InboundOutcome =
            mayChangeConsent ? context.connection.durableWrite : context.connection.write
        return try settings.translatingErrors {
            try transaction {
                let now = clock.now()
                guard let number = PhoneNumberNormalizer().verdict(for: from).longFormat else {
                    return try context.record(from: from, number: nil, text: text, action: "unreadable_number", at: now)
                }
                // With no SMS attribute chosen no user has a number yet; the message is still stored.
                let attribute = try SMSSettings(connection: context.connection).identity()
                let users = try attribute.map {
                    try context.ledger.users(withNumber: number, smsAttributeID: $0.id, program: ConsentService.program)
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
                                userID: user.userID, number: number, program: ConsentService.program, state: .optedOut,
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
                                userID: user.userID, number: number, program: ConsentService.program, state: .optedIn,
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
        return try settings.translatingErrors {
            try context.connection.durableWrite {
                let (user, number) = try context.userWithNumber(email: email)
                if state == .optedIn,
                    try context.ledger.lastOptOutSource(userID: user.id, number: number, program: ConsentService.program) == .smsKeyword
                {
                    throw ConsentFailure.optedOutByKeyword(email: user.email, number: number)
                }
                try context.ledger.append(
                    ConsentChange(
                        userID: user.id, number: number, program: ConsentService.program, state: state, source: .admin,
                        actor: actor, evidence: evidence, at: clock.now()))
                return try context.ledger.current(userID: user.id, number: number, program: ConsentService.program)
            }
        }
    }

}
