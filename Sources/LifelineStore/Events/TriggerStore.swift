import FoundationEssentials
import LifelineVocabulary

/// One alert group that drafted an event from a template.
public struct TriggerRecord: Sendable, Equatable {
    public let id: Int64
    public let eventID: Int64
    public let templateID: Int64?
    public let source: TriggerSource
    public let dedupKey: String
    /// Notifications received for it, the first included.
    public let received: Int
    public let firstAt: Date
    public let lastAt: Date
    public let resolvedAt: Date?
}

/// One line of an event's audit: who did what, and when.
public struct AuditEntry: Sendable, Equatable {
    public let at: Date
    public let actor: String
    public let action: String
    public let detail: String?

    public init(at: Date, actor: String, action: String, detail: String?) {
        self.at = at
        self.actor = actor
        self.action = action
        self.detail = detail
    }
}

/// The SQL for monitoring triggers and the event audit.
public struct TriggerStore {
    let connection: any SQLConnection

    public init(connection: any SQLConnection) {
        self.connection = connection
    }

    private static let columns = """
        tr.id, tr.event_id, tr.template_id, tr.source, tr.dedup_key, tr.received, tr.first_at, tr.last_at, tr.resolved_at
        """

    private func trigger(from row: any SQLRow) throws -> TriggerRecord {
        TriggerRecord(
            id: row.int64(at: 0), eventID: row.int64(at: 1), templateID: try row.get(2), source: try row.get(3), dedupKey: row.string(at: 4),
            received: Int(row.int64(at: 5)), firstAt: try row.get(6), lastAt: try row.get(7), resolvedAt: try row.get(8))
    }

    /// The trigger for this key and template whose event is still a draft or active: the one a
    /// repeat of the alert group belongs to.
    public func openTrigger(dedupKey: String, templateID: Int64) throws -> TriggerRecord? {
        try connection.queryFirst(
            """
            SELECT \(Self.columns) FROM event_triggers tr JOIN continuity_events e ON e.id = tr.event_id
            WHERE tr.dedup_key = ? AND tr.template_id = ? AND (e.state = 'draft' OR e.state = 'active')
            ORDER BY tr.id DESC
            """, dedupKey, templateID, map: trigger)
    }

    /// The triggers that drafted an event, oldest first.
    public func triggers(eventID: Int64) throws -> [TriggerRecord] {
        try connection.query("SELECT \(Self.columns) FROM event_triggers tr WHERE tr.event_id = ? ORDER BY tr.id", eventID, map: trigger)
    }

    /// Records the trigger that drafted `eventID`; returns its id.
    public func create(eventID: Int64, templateID: Int64, source: TriggerSource, dedupKey: String, at date: Date) throws -> Int64 {
        try connection.insert(
            """
            INSERT INTO event_triggers (event_id, template_id, source, dedup_key, received, first_at, last_at)
            VALUES (?, ?, ?, ?, 1, ?, ?)
            """, eventID, templateID, source, dedupKey, date, date)
    }

    /// Counts one more notification for a trigger.
    public func repeated(id: Int64, at date: Date) throws {
        try connection.execute("UPDATE event_triggers SET received = received + 1, last_at = ? WHERE id = ?", date, id)
    }

    /// Marks a trigger resolved by its monitor; false when it already was.
    public func resolve(id: Int64, at date: Date) throws -> Bool {
        try connection.execute(
            "UPDATE event_triggers SET resolved_at = ?, last_at = ? WHERE id = ? AND resolved_at IS NULL", date, date, id)
        return connection.changes == 1
    }

    /// Adds a line to an event's audit.
    public func audit(eventID: Int64, _ entry: AuditEntry) throws {
        try connection.execute(
            "INSERT INTO event_audit (event_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)", eventID, entry.at, entry.actor,
            entry.action, entry.detail)
    }

    /// An event's audit, oldest first.
    public func auditTrail(eventID: Int64) throws -> [AuditEntry] {
        try connection.query("SELECT at, actor, action, detail FROM event_audit WHERE event_id = ? ORDER BY id", eventID) { row in
            AuditEntry(at: try row.get(0), actor: row.string(at: 1), action: row.string(at: 2), detail: try row.get(3))
        }
    }
}
