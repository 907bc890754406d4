import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// Continuity events: create, preview, start (the start alert to the group), end (the end
/// alert), cancel, and the operator's views. Each call opens the database, as one CLI command does.
///
/// Starting and ending are one `BEGIN IMMEDIATE` transaction each: the state check, the fan-out
/// and the state change commit together, so a repeat or a racing second process finds the new
/// state and queues nothing, and a failure queues no one.
public struct EventService: Sendable {
    static let startKind = "event_start"
    static let endKind = "event_end"
    /// The two alerts' kinds, as dispatch orders them.
    public static let alertKinds = AlertKinds(start: startKind, end: endKind)
    static let eventOverReason = "its event was over before it could be sent"

    public let environment: LifelineEnvironment
    public var database: Database { environment.database }
    public var clock: any WallClock { environment.clock }

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    /// Stores a draft event after checking every field; returns its id. `actor` is recorded in
    /// the event's audit.
    public func create(_ draft: EventDraft, by actor: String) throws -> Int64 {
        if let (_, problem) = draft.problems().first { throw problem }
        return try database.write { connection in try insert(draft, by: actor, detail: nil, connection: connection) }
    }

    /// Stores a checked draft inside the caller's write transaction (a trigger drafts one in
    /// the same transaction that records it) and audits who created it.
    func insert(_ draft: EventDraft, by actor: String, detail: String?, connection: any SQLConnection) throws -> Int64 {
        let (name, start, end, notes) = try draft.checkedFields()
        let now = clock.now()
        let groupID = try DirectoryStore(connection: connection).requireGroupID(named: draft.group)
        let id = try EventStore(connection: connection).create(
            NewEvent(
                name: name, groupID: groupID, kind: draft.kind, startMessage: start.text,
                endMessage: end.text, startsAt: draft.startsAt, endsAt: draft.endsAt, notes: notes),
            at: now)
        if let question = draft.question { try ReplyStore(connection: connection).setQuestion(eventID: id, question) }
        try TriggerStore(connection: connection).audit(eventID: id, AuditEntry(at: now, actor: actor, action: "created", detail: detail))
        return id
    }

    /// Queues the start alert to the audience and makes the event active.
    public func start(id: Int64, by actor: String) throws -> EventTransitionOutcome {
        try perform(.start, id: id, by: actor)
    }

    /// Queues the end alert to the audience as it is now and ends the event.
    public func end(id: Int64, by actor: String) throws -> EventTransitionOutcome {
        try perform(.end, id: id, by: actor)
    }

    /// Does `transition` to the event: state-checked, so a repeat (or a second server doing the
    /// same at once) changes nothing and queues nothing. The event's audit records `actor`
    /// when the transition is made.
    public func perform(_ transition: EventTransition, id: Int64, by actor: String) throws -> EventTransitionOutcome {
        switch transition {
        case .start:
            try self.transition(
                id: id, from: transition.from, to: transition.to, action: transition.pastTense, kind: Self.startKind,
                timeColumn: "started_at", actor: actor)
        case .end:
            try self.transition(
                id: id, from: transition.from, to: transition.to, action: transition.pastTense, kind: Self.endKind,
                timeColumn: "ended_at", actor: actor)
        case .cancel:
            try self.transition(
                id: id, from: transition.from, to: transition.to, action: transition.pastTense, kind: nil,
                timeColumn: "cancelled_at", actor: actor)
        }
    }

    /// Starts the drafts whose `starts_at` has come and ends the active events whose `ends_at`
    /// has. Each is the same state-checked transition as `start` and `end`, so two servers (or
    /// a server and an operator) acting on one event at once queue its alert once. One event
    /// that cannot move (no SMS attribute, say) does not hold up the others: its failure is
    /// returned beside their outcomes.
    public func runSchedule() throws -> [(eventID: Int64, outcome: Result<EventTransitionOutcome, any Error>)] {
        let due = try database.read { try EventStore(connection: $0).due(at: clock.now()) }
        return due.map { event in
            (event.id, Result { try perform(event.state == .draft ? .start : .end, id: event.id, by: ActorName.schedule.recorded) })
        }
    }

    /// Cancels a draft; nothing was sent and nothing will be.
    public func cancel(id: Int64, by actor: String) throws -> EventTransitionOutcome {
        try perform(.cancel, id: id, by: actor)
    }

    private func transition(
        id: Int64, from: EventState, to: EventState, action: String, kind: String?, timeColumn: String, actor: String
    ) throws -> EventTransitionOutcome {
        // State-checked, so idempotent: run again after a failover, a transition that did
        // commit finds the event already there and queues nothing twice. A fan-out writes an
        // alert for each member (a million, in a big organisation): bulk work.
        try database.idempotentWrite(cacheSizeKiB: kind == nil ? nil : Database.bulkCacheKiB) { connection in
            let events = EventStore(connection: connection)
            guard let event = try events.event(id: id).map(ContinuityEvent.init) else {
                throw EventFailure.eventNotFound(id)
            }
            if event.state == to || (to == .active && event.state == .ended) {
                return EventTransitionOutcome(eventID: id, state: event.state, queued: 0, alreadyDone: true)
            }
            guard event.state == from else {
                throw EventFailure.illegalTransition(id: id, state: event.state, action: action)
            }
            let now = clock.now()
            var queued = 0
            if let kind {
                let template = try AlertTemplate(
                    kind == Self.startKind ? event.record.startMessage : event.record.endMessage,
                    field: kind == Self.startKind ? "the start message" : "the end message")
                // Numbers are judged against the SMS attribute: without one nobody has one.
                _ = try SMSSettings(connection: connection).requireAttribute()
                queued = try events.fanOut(
                    eventID: id, groupID: event.record.groupID, kind: kind, body: template.body(eventName: event.name),
                    program: ConsentService.program, at: now)
            }
            if to == .ended || to == .cancelled {
                // A start alert still waiting when its event is over would only confuse: never send it.
                _ = try events.expireQueued(eventID: id, kind: Self.startKind, reason: Self.eventOverReason, at: now)
            }
            _ = try events.transition(id: id, from: from, to: to, timeColumn: timeColumn, at: now)
            try TriggerStore(connection: connection).audit(
                eventID: id, AuditEntry(at: now, actor: actor, action: action, detail: kind == nil ? nil : "\(queued) alerts queued"))
            return EventTransitionOutcome(eventID: id, state: to, queued: queued, alreadyDone: false)
        }
    }

    /// Who the alert would reach now, who it would skip and why, and the messages' SMS cost.
    public func preview(id: Int64) throws -> EventPreview {
        try database.read { connection in
            guard let event = try EventStore(connection: connection).event(id: id) else { throw EventFailure.eventNotFound(id) }
            return try preview(
                eventID: id, groupID: event.groupID, name: event.name, start: event.startMessage, end: event.endMessage, connection: connection)
        }
    }

    /// The same for a draft not stored yet: what starting a template would do, shown before
    /// its one confirmation.
    public func preview(of draft: EventDraft) throws -> EventPreview {
        let (name, start, end, _) = try draft.checkedFields()
        return try database.read { connection in
            let groupID = try DirectoryStore(connection: connection).requireGroupID(named: draft.group)
            return try preview(eventID: nil, groupID: groupID, name: name, start: start.text, end: end.text, connection: connection)
        }
    }

    private func preview(
        eventID: Int64?, groupID: Int64, name: String, start: String, end: String, connection: any SQLConnection
    ) throws -> EventPreview {
        let events = EventStore(connection: connection)
        _ = try SMSSettings(connection: connection).requireAttribute()
        var counts = try events.audience(groupID: groupID, program: ConsentService.program)
        let recipients = counts.removeValue(forKey: "recipient") ?? 0
        let longest = try events.longestRecipientName(groupID: groupID, program: ConsentService.program)
        func length(_ text: String) throws -> SMSLength {
            SMSLength(body: try AlertTemplate(text, field: "message").rendered(eventName: name, recipientName: longest ?? ""))
        }
        return EventPreview(
            eventID: eventID, recipients: recipients,
            skipped: Dictionary(uniqueKeysWithValues: EventPreview.skipReasons.map { ($0, counts[$0] ?? 0) }),
            startMessage: try length(start), endMessage: try length(end), measuredWithName: longest)
    }

    /// Events, newest first, optionally in one state.
    public func list(state: EventState?) throws -> [ContinuityEvent] {
        try database.read { try EventStore(connection: $0).events(state: state).map(ContinuityEvent.init) }
    }

    /// One event and its messages counted by alert and status.
    public func show(id: Int64) throws -> (event: ContinuityEvent, deliveries: [AlertDeliveries]) {
        try database.read { connection in
            let events = EventStore(connection: connection)
            guard let event = try events.event(id: id) else { throw EventFailure.eventNotFound(id) }
            let deliveries = try events.deliveryCounts(eventID: id).map {
                AlertDeliveries(alert: Self.alertName(kind: $0.kind), status: $0.status, count: $0.count, maybeSent: $0.maybeSent)
            }
            return (ContinuityEvent(record: event), deliveries)
        }
    }

    /// An event message's name by its kind: `start`, `end`, `reminder 2`.
    static func alertName(kind: String) -> String {
        switch kind {
        case startKind: "start"
        case endKind: "end"
        default: EventReplies.reminderNumber(kind: kind).map { "reminder \($0)" } ?? kind
        }
    }

    /// What happened to the event and who did it, oldest first, and the monitoring triggers
    /// that drafted it.
    public func history(id: Int64) throws -> EventHistory {
        try database.read { connection in
            guard try EventStore(connection: connection).event(id: id) != nil else { throw EventFailure.eventNotFound(id) }
            let store = TriggerStore(connection: connection)
            return EventHistory(audit: try store.auditTrail(eventID: id), triggers: try store.triggers(eventID: id))
        }
    }
}

/// An event's audit and the triggers that drafted it.
public struct EventHistory: Sendable, Equatable {
    public let audit: [AuditEntry]
    public let triggers: [TriggerRecord]

    /// When a monitor said the problem is over, while the event is still open: the end is offered.
    public var resolvedAt: Date? { triggers.compactMap(\.resolvedAt).max() }
}

/// An event's messages of one alert (`start`, `end`) in one status.
public struct AlertDeliveries: Sendable, Equatable {
    public let alert: String
    public let status: OutboxStatus
    public let count: Int
    /// Attempts among them whose outcome was unknown: each may have reached the person twice.
    public let maybeSent: Int

    /// Still to go out: queued, or with a provider now.
    public var isWaiting: Bool { status == .queued || status == .sending }
}

extension [AlertDeliveries] {
    /// Messages still queued or with a provider.
    public var waiting: Int { filter(\.isWaiting).reduce(0) { $0 + $1.count } }
}
