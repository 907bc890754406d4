import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// Consent flows on one open connection: what a server or a batch of inbound messages uses,
/// so each message costs its durable commit and not a new connection.
///
/// Not `Sendable`, like the connection it holds: one task at a time.
public final class ConsentSession {
    let environment: LifelineEnvironment
    var database: Database { environment.database }
    var clock: any WallClock { environment.clock }
    let context: ConsentContext
    private let held: HeldConnection

    /// Holds a connection to the database (its schema must be current). A failover under way
    /// is waited out first, which is safe for any step: nothing has been done yet.
    public init(_ environment: LifelineEnvironment) throws {
        self.environment = environment
        held = try environment.database.holdWaitingOutFailover()
        context = ConsentContext(connection: held.connection)
    }

    /// Gives the connection back.
    public func close() {
        held.release()
    }

    /// A user asks to opt in (portal) or an admin asks on their behalf: the state becomes pending
    /// and a confirmation request is queued to the user's number.
    public func requestOptIn(email: String, source: ConsentSource, actor: String) throws -> OptInRequestOutcome {
        guard source == .portal || source == .admin else {
            throw ConsentFailure.notAllowed("an opt-in request comes from the portal or an admin, not \(source.rawValue)")
        }
        return try held.write(durable: true) {
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

    /// Handles a received SMS: STOP opts every user of the number out at once, START/YES opts in
    /// a pending or keyword-opted-out user, HELP answers; anything else changes nothing.
    ///
    /// `providerMessageID` (the provider's name and its id for the message) makes a second
    /// delivery of the same message harmless: it gets the first one's answer, and adds no ledger
    /// row and no reply. Providers retry webhooks, and a captured request may be replayed.
    public func handleInbound(from: String, text: String, providerMessageID: String? = nil) throws -> InboundOutcome {
        // Only an opt-out or opt-in keyword can change consent: those commit with a full sync.
        // HELP and free text are stored at the connection's usual level.
        let keyword = ConsentKeyword(message: text)
        let mayChangeConsent = keyword == .optOut || keyword == .optIn
        return try held.write(durable: mayChangeConsent) {
            if let providerMessageID, let first = try InboundStore(connection: context.connection).handled(providerMessageID: providerMessageID) {
                return InboundOutcome(action: first.action, changedUsers: [], replied: first.replied, isRepeat: true)
            }
            let now = clock.now()
            guard let number = PhoneNumberNormalizer().verdict(for: from).longFormat else {
                return try context.record(from: from, providerMessageID: providerMessageID, number: nil, text: text, action: "unreadable_number", at: now)
            }
            // With no SMS attribute chosen no user has a number yet; the message is still stored.
            let users = try context.ledger.users(withNumber: number, program: ConsentService.program)
            guard let keyword else {
                if let answer = EventReplies.answer(in: text) {
                    return try recordAnswer(answer, from: from, number: number, text: text, providerMessageID: providerMessageID, at: now)
                }
                return try context.record(from: from, providerMessageID: providerMessageID, number: number, text: text, action: "unhandled", at: now)
            }
            guard !users.isEmpty else {
                return try context.record(from: from, providerMessageID: providerMessageID, number: number, text: text, action: "unknown_number", at: now)
            }
            switch keyword {
            case .help:
                try context.queue(.help, to: number, userID: users[0].userID, at: now)
                return try context.record(from: from, providerMessageID: providerMessageID, number: number, text: text, action: "help", replied: true, at: now)
            case .optOut:
                // STOP opts out every user of the number at once, whatever their state.
                let changing = users.filter { $0.state != .optedOut }
                return try applyKeyword(
                    .optedOut, to: changing, number: number, from: from, providerMessageID: providerMessageID, text: text, at: now)
            case .optIn:
                // START only confirms a request, or undoes the user's own opt-out.
                let changing = users.filter {
                    $0.state == .pending || ($0.state == .optedOut && $0.source == .smsKeyword)
                }
                return try applyKeyword(
                    .optedIn, to: changing, number: number, from: from, providerMessageID: providerMessageID, text: text, at: now)
            }
        }
    }

    /// Stores a numbered reply and counts it for the event whose question it answers, when the
    /// number received that event's start alert; otherwise it is stored as unhandled.
    private func recordAnswer(
        _ answer: Int, from: String, number: String, text: String, providerMessageID: String?, at now: Date
    ) throws -> InboundOutcome {
        guard let target = try EventReplies.recipients(of: answer, from: number, at: now, connection: context.connection) else {
            return try context.record(from: from, providerMessageID: providerMessageID, number: number, text: text, action: "unhandled", at: now)
        }
        // Stored first: each counted answer names the message it came in.
        let id = try InboundStore(connection: context.connection).record(
            from: from, number: number, text: text, action: "answer", replied: false, providerMessageID: providerMessageID, at: now)
        let replies = ReplyStore(connection: context.connection)
        for userID in target.userIDs {
            try replies.record(eventID: target.eventID, userID: userID, answer: answer, inboundID: id, at: now)
        }
        return InboundOutcome(action: "answer", changedUsers: [], replied: false)
    }

    /// Appends `state` for each user from an SMS keyword, queues one reply, stores the message.
    private func applyKeyword(
        _ state: ConsentState, to users: [ConsentListing], number: String, from: String, providerMessageID: String?, text: String,
        at now: Date
    ) throws -> InboundOutcome {
        guard let first = users.first else {
            return try context.record(from: from, providerMessageID: providerMessageID, number: number, text: text, action: "no_change", at: now)
        }
        for user in users {
            try context.ledger.append(
                ConsentChange(
                    userID: user.userID, number: number, program: ConsentService.program, state: state,
                    source: .smsKeyword, actor: ActorName.sms(number: number).recorded, evidence: text, at: now))
        }
        try context.queue(state == .optedOut ? .optedOut : .optedIn, to: number, userID: first.userID, at: now)
        return try context.record(
            from: from, providerMessageID: providerMessageID, number: number, text: text, action: state.rawValue, changed: users.map(\.email),
            replied: true, at: now)
    }

    /// The user unsubscribes in the portal: opted out at once, whatever the state was.
    public func withdraw(email: String, actor: String) throws -> CurrentConsent {
        try held.write(durable: true) {
            let (user, number) = try context.userWithNumber(email: email)
            let current = try context.ledger.current(userID: user.id, number: number, program: ConsentService.program)
            guard current.state != .optedOut else { return current }
            try context.ledger.append(
                ConsentChange(
                    userID: user.id, number: number, program: ConsentService.program, state: .optedOut, source: .portal,
                    actor: actor, evidence: "unsubscribed in the portal", at: clock.now()))
            return try context.ledger.current(userID: user.id, number: number, program: ConsentService.program)
        }
    }

    /// Records consent collected elsewhere (a signed form). Admins may always opt out; they may
    /// never opt in a number whose last opt-out the user sent by SMS.
    ///
    /// Keyed by its evidence: when the current state is already this state, recorded by this
    /// actor with this evidence, it is a repeat (a client's retry, or this write run again after
    /// a failover when the first attempt had committed) and adds no second ledger row. That is
    /// what lets it be carried across a failover.
    public func recordAdminDecision(email: String, state: ConsentState, evidence: String, actor: String) throws -> CurrentConsent {
        guard state == .optedIn || state == .optedOut else {
            throw ConsentFailure.notAllowed("an admin records opted_in or opted_out, not \(state.rawValue)")
        }
        let evidence = evidence.trimmingBlanks()
        guard !evidence.isEmpty else { throw ConsentFailure.evidenceRequired }
        try TextLimit.evidence.check(evidence, field: "the evidence")
        try TextLimit.actor.check(actor, field: "the actor")
        return try held.idempotentWrite(durable: true) {
            let (user, number) = try context.userWithNumber(email: email)
            let current = try context.ledger.current(userID: user.id, number: number, program: ConsentService.program)
            if current.state == state, current.source == .admin, let row = current.ledgerID,
                let entry = try context.ledger.entry(id: row, program: ConsentService.program), entry.evidence == evidence, entry.actor == actor
            {
                return current
            }
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
