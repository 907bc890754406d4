import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// Telling the on-call: when monitoring drafts an event, every console account that opted in is
/// texted, in the priority lane, a link to that draft's confirm page, and again every 30
/// minutes until someone starts, dismisses, cancels or ends it. Each link is signed, works once
/// and for 24 hours, and still needs the console's sign-in with its code by SMS. A template may
/// also say the event starts by itself some minutes after it was drafted. Each round carries
/// fresh links, so a reminder always works even after the first round's links have expired.
public struct OnCallNotices: Sendable {
    public static let interval: TimeInterval = 30 * 60
    public static let linkLifetime: TimeInterval = 24 * 3600
    static let kind = "on_call_notice"
    /// What the outbox stores in place of a text carrying a link (the real one is sealed).
    static let placeholder = "[on-call notice with a sign-in link: sealed]"
    /// The path the link opens, under the console.
    public static let linkPath = "/console/notice/"

    public let environment: LifelineEnvironment
    /// The address people reach the console at (`serve --public-url`); without one, the texts
    /// say to sign in to the console rather than carry a link.
    public let publicURL: String?
    var database: Database { environment.database }

    public init(_ environment: LifelineEnvironment, publicURL: String?) {
        self.environment = environment
        self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    /// What signs links and seals texts. Read before a write transaction opens: reading the
    /// secret may itself read the database.
    public struct Keys: Sendable {
        let signer: PageSigner
        let sealer: MessageSealer
    }

    public func keys() throws -> Keys {
        guard let keys = try VerificationService(environment).keys(create: true) else { throw SecretFailure.missing }
        return Keys(signer: PageSigner(keys: keys), sealer: MessageSealer(keys: keys))
    }

    /// Whether `text` has a link token's shape: what the sign-in pages accept as where to go
    /// back to afterwards.
    public static func isLinkToken(_ text: String) -> Bool { NoticeLinkToken.Parsed(text) != nil }

    // MARK: Sending

    /// Opens the notices of an event monitoring just drafted and texts the first round, inside
    /// the trigger's transaction: the draft and its notice commit together or not at all.
    func drafted(eventID: Int64, template: TemplateRecord, keys: Keys, connection: any SQLConnection) throws {
        let now = environment.clock.now()
        let autoStart = template.autoStartAfter.map { now.addingTimeInterval(TimeInterval($0 * 60)) }
        guard try NoticeStore(connection: connection).open(eventID: eventID, at: now, autoStartAt: autoStart) else { return }
        try sendRound(1, eventID: eventID, autoStartAt: autoStart, keys: keys, at: now, connection: connection)
    }

    /// Texts round `round` to everyone on call, each with their own link, and audits who.
    private func sendRound(
        _ round: Int, eventID: Int64, autoStartAt: Date?, keys: Keys, at now: Date, connection: any SQLConnection
    ) throws {
        let store = NoticeStore(connection: connection)
        guard try store.sent(eventID: eventID, round: round, next: now.addingTimeInterval(Self.interval)) else { return }
        guard let event = try EventStore(connection: connection).event(id: eventID) else { throw EventFailure.eventNotFound(eventID) }
        let recipients = try store.onCallRecipients()
        let outbox = OutboxStore(connection: connection)
        let expires = now.addingTimeInterval(Self.linkLifetime)
        for recipient in recipients {
            let linkID = try store.createLink(eventID: eventID, userID: recipient.userID, at: now, expiresAt: expires)
            let token = NoticeLinkToken(linkID: linkID, eventID: eventID, userID: recipient.userID, expiresAt: expires)
            let body = message(round: round, eventName: event.name, eventID: eventID, token: token.text(keys.signer), autoStartAt: autoStartAt)
            try outbox.enqueue(
                OutgoingMessage(
                    channel: .sms, destination: recipient.number, body: Self.placeholder, kind: Self.kind, program: .service,
                    userID: recipient.userID, sealedBody: try keys.sealer.seal(body, destination: recipient.number),
                    // The next round carries a fresh link: a notice later than that is noise.
                    expiresAt: now.addingTimeInterval(Self.interval)),
                at: now)
        }
        let who = recipients.isEmpty ? "nobody is on call: no notice texted" : "texted \(recipients.count) on call: " + recipients.map(\.email).joined(separator: ", ")
        try TriggerStore(connection: connection).audit(
            eventID: eventID,
            AuditEntry(at: now, actor: ActorName.schedule.recorded, action: round == 1 ? "notice" : "notice reminder \(round - 1)", detail: String(who.prefix(1000))))
    }

    /// The text: what was drafted, the link (or where to go), and the automatic start if any.
    func message(round: Int, eventName: String, eventID: Int64, token: String, autoStartAt: Date?) -> String {
        var text = round == 1 ? "Lifeline on call: monitoring drafted the event \"\(eventName)\"." : "Lifeline on call, reminder \(round - 1): the event \"\(eventName)\" is still a draft."
        if let publicURL {
            text += " Review and start it: \(publicURL)\(Self.linkPath)\(token)"
        } else {
            text += " Sign in to the console to start it (event \(eventID))."
        }
        if let autoStartAt { text += " It starts by itself at \(Self.clockTime(autoStartAt)) UTC." }
        return text
    }

    /// `HH:MM` of a UTC time: a notice goes out at most a day before it.
    static func clockTime(_ date: Date) -> String {
        String(UTCTimestamp.string(from: date).dropFirst("YYYY-MM-DDT".count).prefix(5))
    }

    // MARK: The schedule

    /// What one pass did to one event's notices.
    public enum Step: Sendable, Equatable {
        case reminded(round: Int)
        case stopped(reason: String)
        case autoStarted(queued: Int)
        case autoStartFailed(String)
        /// Nothing could be done this time (the database was failing over, say): the next pass
        /// tries again.
        case failed(String)
    }

    /// Sends the rounds that are due, stops the notices of events someone decided on, and
    /// starts the events whose automatic start has come. Run by the server's schedule; two
    /// servers doing it at once send each round once. One event's failure does not hold up
    /// the others: it is returned beside their steps.
    public func runDue() throws -> [(eventID: Int64, step: Step)] {
        let now = environment.clock.now()
        let due = try database.read { try NoticeStore(connection: $0).due(at: now) }
        guard !due.isEmpty else { return [] }
        let keys = try keys()
        var steps: [(Int64, Step)] = []
        for notice in due {
            do {
                if let step = try step(notice, keys: keys, at: now) { steps.append((notice.eventID, step)) }
            } catch {
                steps.append((notice.eventID, .failed(String(describing: error))))
            }
        }
        return steps
    }

    private func step(_ notice: NoticeRecord, keys: Keys, at now: Date) throws -> Step? {
        if let start = notice.autoStartAt, start <= now, let step = try autoStart(notice) { return step }
        guard notice.nextAt <= now else { return nil }
        return try database.idempotentWrite { connection in
            let store = NoticeStore(connection: connection)
            guard let current = try store.notice(eventID: notice.eventID), current.closedAt == nil, current.rounds == notice.rounds else {
                return nil
            }
            guard let event = try EventStore(connection: connection).event(id: notice.eventID) else { return nil }
            if event.state != .draft {
                _ = try store.close(eventID: notice.eventID, reason: event.state.rawValue, at: now)
                return .stopped(reason: event.state.rawValue)
            }
            try sendRound(current.rounds + 1, eventID: notice.eventID, autoStartAt: current.autoStartAt, keys: keys, at: now, connection: connection)
            return .reminded(round: current.rounds + 1)
        }
    }

    /// Starts a draft whose automatic start has come. A start that fails (no SMS attribute,
    /// say) is audited and not tried again: the reminders go on, and a person decides.
    private func autoStart(_ notice: NoticeRecord) throws -> Step? {
        let now = environment.clock.now()
        do {
            let outcome = try EventService(environment).start(id: notice.eventID, by: ActorName.schedule.recorded)
            try database.write { connection in
                _ = try NoticeStore(connection: connection).close(eventID: notice.eventID, reason: "started", at: now)
            }
            return outcome.alreadyDone ? nil : .autoStarted(queued: outcome.queued)
        } catch EventFailure.illegalTransition {
            // Cancelled (or otherwise decided) before its time came: the round pass stops it.
            try database.write { try NoticeStore(connection: $0).clearAutoStart(eventID: notice.eventID) }
            return nil
        } catch let failure as any LifelineFailure where failure.kind != .internal {
            try database.write { connection in
                try NoticeStore(connection: connection).clearAutoStart(eventID: notice.eventID)
                try TriggerStore(connection: connection).audit(
                    eventID: notice.eventID,
                    AuditEntry(at: now, actor: ActorName.schedule.recorded, action: "auto start failed", detail: String(failure.message.prefix(1000))))
            }
            return .autoStartFailed(failure.message)
        }
    }

    // MARK: Deciding

    /// Stops an event's notices and its automatic start, leaving the draft as it is; false when
    /// they were already stopped (or it had none).
    public func dismiss(eventID: Int64, by actor: String) throws -> Bool {
        let now = environment.clock.now()
        return try database.write { connection in
            guard try NoticeStore(connection: connection).close(eventID: eventID, reason: "dismissed", at: now) else { return false }
            try TriggerStore(connection: connection).audit(
                eventID: eventID, AuditEntry(at: now, actor: actor, action: "notices dismissed", detail: "no more notices, no automatic start"))
            return true
        }
    }

    /// An event's notices, for its page: nil when monitoring never drafted it.
    public func notice(eventID: Int64) throws -> NoticeRecord? {
        try database.read { try NoticeStore(connection: $0).notice(eventID: eventID) }
    }

    /// What following a link comes to.
    public enum LinkOutcome: Sendable, Equatable {
        /// Good: the link is now used; go to this event's confirmation.
        case confirm(eventID: Int64)
        case alreadyUsed(eventID: Int64, at: Date, by: String)
        case expired(eventID: Int64)
        /// Someone already decided: the event is no longer a draft.
        case decided(eventID: Int64, state: EventState)
        /// Not a link Lifeline made (altered, or from a rotated secret).
        case invalid
    }

    /// Follows a link for the signed-in `actor`: checks its signature, age and use, and the
    /// event's state, and uses it up when it leads to a confirmation.
    public func follow(token text: String, by actor: String) throws -> LinkOutcome {
        guard let parsed = NoticeLinkToken.Parsed(text) else { return .invalid }
        let keys = try keys()
        let now = environment.clock.now()
        return try database.write { connection in
            let store = NoticeStore(connection: connection)
            guard let link = try store.link(id: parsed.linkID) else { return .invalid }
            let token = NoticeLinkToken(linkID: link.id, eventID: link.eventID, userID: link.userID, expiresAt: link.expiresAt)
            guard token.isSigned(parsed.tag, by: keys.signer) else { return .invalid }
            if let usedAt = link.usedAt { return .alreadyUsed(eventID: link.eventID, at: usedAt, by: link.usedBy ?? "someone") }
            guard now < link.expiresAt else { return .expired(eventID: link.eventID) }
            guard let event = try EventStore(connection: connection).event(id: link.eventID) else { return .invalid }
            guard event.state == .draft else { return .decided(eventID: link.eventID, state: event.state) }
            // Read a moment ago in this transaction, so only a concurrent follower can have won.
            guard try store.use(linkID: link.id, by: actor, at: now) else { return .alreadyUsed(eventID: link.eventID, at: now, by: "someone else") }
            try TriggerStore(connection: connection).audit(
                eventID: link.eventID, AuditEntry(at: now, actor: actor, action: "notice link followed", detail: nil))
            return .confirm(eventID: link.eventID)
        }
    }
}

/// A notice link's token: the link's row id and an HMAC binding it to its event, account and
/// expiry, so nothing secret is stored and an altered token is refused. 128 bits of tag keep
/// the text short enough for one SMS with the rest of the notice.
struct NoticeLinkToken {
    let linkID: Int64
    let eventID: Int64
    let userID: Int64
    let expiresAt: Date

    static let tagLength = 32

    private var signed: String {
        "notice-link:\(linkID):\(eventID):\(userID):\(Int64(expiresAt.timeIntervalSince1970.rounded(.down)))"
    }

    func text(_ signer: PageSigner) -> String {
        "\(linkID)-" + signer.tag(signed).prefix(Self.tagLength)
    }

    func isSigned(_ tag: String, by signer: PageSigner) -> Bool {
        ConstantTime.equal(Array(tag.utf8), Array(signer.tag(signed).prefix(Self.tagLength).utf8))
    }

    /// A token as it comes back in a URL: digits, a dash, 32 lowercase hex digits.
    struct Parsed {
        let linkID: Int64
        let tag: String

        init?(_ text: String) {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].utf8.count <= 18, let id = Int64(parts[0]), id > 0,
                parts[1].utf8.count == NoticeLinkToken.tagLength,
                parts[1].utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) })
            else { return nil }
            linkID = id
            tag = String(parts[1])
        }
    }
}
