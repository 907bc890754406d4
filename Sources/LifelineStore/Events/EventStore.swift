import FoundationEssentials
import LifelineVocabulary

/// The continuity_events table, the fan-out of an event's alerts into the outbox, and the
/// audience counts a preview shows.
public struct EventStore {
    public let connection: any SQLConnection

    public init(connection: any SQLConnection) {
        self.connection = connection
    }

    private static let columns = """
        e.id, e.name, e.group_id, g.name, e.kind, e.state, e.start_message, e.end_message, e.starts_at, e.ends_at,
        e.notes, e.created_at, e.started_at, e.ended_at, e.cancelled_at
        """

    private static func event(from row: any SQLRow) throws -> EventRecord {
        EventRecord(
            id: row.int64(at: 0), name: row.string(at: 1), groupID: row.int64(at: 2), groupName: row.string(at: 3),
            kind: try row.get(4), state: try row.get(5), startMessage: row.string(at: 6),
            endMessage: row.string(at: 7), startsAt: try row.get(8), endsAt: try row.get(9), notes: try row.get(10),
            createdAt: try row.get(11), startedAt: try row.get(12), endedAt: try row.get(13),
            cancelledAt: try row.get(14))
    }

    /// Stores a draft event; returns its id.
    public func create(_ event: NewEvent, at date: Date) throws -> Int64 {
        try connection.insert(
            """
            INSERT INTO continuity_events
                (name, group_id, kind, start_message, end_message, starts_at, ends_at, notes, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, event.name, event.groupID, event.kind, event.startMessage, event.endMessage, event.startsAt,
            event.endsAt, event.notes, date)
    }

    public func event(id: Int64) throws -> EventRecord? {
        try connection.queryFirst(
            "SELECT \(Self.columns) FROM continuity_events e JOIN groups g ON g.id = e.group_id WHERE e.id = ?", id,
            map: Self.event)
    }

    /// Events, newest first, optionally in one state.
    public func events(state: EventState?) throws -> [EventRecord] {
        try connection.query(
            """
            SELECT \(Self.columns) FROM continuity_events e JOIN groups g ON g.id = e.group_id
            WHERE CAST(?1 AS TEXT) IS NULL OR e.state = ?1 ORDER BY e.id DESC
            """, state, map: Self.event)
    }

    /// Events whose scheduled time has come: drafts due to start, active events due to end.
    public func due(at date: Date) throws -> [(id: Int64, state: EventState)] {
        try connection.query(
            """
            SELECT id, state FROM continuity_events
            WHERE (state = 'draft' AND starts_at <= ?1) OR (state = 'active' AND ends_at <= ?1)
            ORDER BY id
            """, date
        ) { (id: $0.int64(at: 0), state: try $0.get(1)) }
    }

    /// Moves an event from one state to another, stamping the time column; false if it was not in `from`.
    public func transition(id: Int64, from: EventState, to: EventState, timeColumn: String, at date: Date) throws -> Bool {
        precondition(["started_at", "ended_at", "cancelled_at"].contains(timeColumn), "not an event time column")
        try connection.execute(
            "UPDATE continuity_events SET state = ?, \(timeColumn) = ? WHERE id = ? AND state = ?", to, date, id, from)
        return connection.changes == 1
    }

    /// The FROM and WHERE clauses that select an alert's audience (`m`, `u`, `c`): the group's
    /// members who may be texted (``Reachability``), as the fan-out and the preview both read it.
    ///
    /// CROSS JOIN fixes SQLite's join order to the one that reads every table in user id order
    /// (memberships by group, then each user's row and consent by primary key), instead of
    /// starting from the number index and probing the rest at random. PostgreSQL's planner
    /// chooses its own order and has no such hint: plain joins there.
    private func audience(group: String, program: String) -> String {
        let join = connection.dialect == .sqlite ? "CROSS JOIN" : "JOIN"
        return """
        FROM group_memberships m
        \(join) users u ON u.id = m.user_id
        \(join) consent_current c ON \(Reachability.currentConsent(user: "u", consent: "c", program: program))
        WHERE m.group_id = \(group) AND \(Reachability.mayBeTexted(user: "u", consent: "c"))
        """
    }

    /// Queues `body` to every active member of the group opted in for their current, valid SMS
    /// number, once per event, recipient and `kind`; returns how many were queued.
    ///
    /// One INSERT … SELECT, so the audience is read and queued in one statement; the unique
    /// index outbox_event_once makes a repeat queue nothing.
    public func fanOut(
        eventID: Int64, groupID: Int64, kind: String, body: PersonalisedBody, program: Program, at date: Date
    ) throws -> Int {
        // Parameters 1–5 are fixed; the body's literal parts follow, the recipient's name between them.
        let name = "coalesce(nullif(u.display_name, ''), u.email)"
        let bodySQL = body.parts.indices.map { "?\($0 + 6)" }.joined(separator: " || \(name) || ")
        let statement = try connection.prepare(
            """
            INSERT INTO outbox
                (channel, destination, body, kind, program, event_id, user_id, next_attempt_at, created_at, updated_at)
            SELECT 'sms', u.sms_number, \(bodySQL), ?3, ?4, ?1, u.id, ?5, ?5, ?5
            \(audience(group: "?2", program: "?4"))
            ON CONFLICT DO NOTHING
            """)
        try statement.bind(eventID, at: 1)
        try statement.bind(groupID, at: 2)
        try statement.bind(kind, at: 3)
        try statement.bind(program, at: 4)
        try statement.bind(date, at: 5)
        for (offset, part) in body.parts.enumerated() { try statement.bind(part, at: Int32(offset + 6)) }
        try statement.run()
        return connection.changes
    }

    /// Expires the event's alerts of `kind` still waiting in the queue, so they are never sent
    /// (those already out with a provider finish); returns how many.
    ///
    /// The WHERE repeats the outbox_unfinished index's condition word for word, so SQLite reads
    /// the event's unfinished alerts from it instead of every alert the event ever had.
    public func expireQueued(eventID: Int64, kind: String, reason: String, at date: Date) throws -> Int {
        try connection.execute(
            """
            UPDATE outbox SET status = 'expired', last_error = ?3, updated_at = ?4
            WHERE event_id = ?1 AND kind = ?2 AND event_id IS NOT NULL AND (status = 'queued' OR status = 'sending')
              AND status = 'queued'
            """, eventID, kind, reason, date)
        return connection.changes
    }

    /// The group's members by what an alert would do for them now: `recipient`, `disabled`,
    /// `no_number`, `invalid_number`, `fixable_number` (a number not yet in long format),
    /// `not_opted_in`, `pending` or `opted_out`.
    public func audience(groupID: Int64, program: Program) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        try connection.forEachRow(
            """
            SELECT CASE
                       WHEN \(Reachability.mayBeTexted(user: "u", consent: "c")) THEN 'recipient'
                       WHEN u.status <> 'active' THEN 'disabled'
                       WHEN u.sms_status = 'missing' THEN 'no_number'
                       WHEN u.sms_status = 'invalid' THEN 'invalid_number'
                       WHEN u.sms_status = 'fixable' THEN 'fixable_number'
                       WHEN c.state IS NULL OR c.state = 'none' THEN 'not_opted_in'
                       ELSE c.state
                   END, count(*)
            FROM group_memberships m
            JOIN users u ON u.id = m.user_id
            LEFT JOIN consent_current c ON \(Reachability.currentConsent(user: "u", consent: "c", program: "?2"))
            WHERE m.group_id = ?1
            GROUP BY 1
            """, groupID, program
        ) { counts[$0.string(at: 0), default: 0] += Int($0.int64(at: 1)) }
        return counts
    }

    /// The longest name among the alert's recipients (the worst case for message length).
    public func longestRecipientName(groupID: Int64, program: Program) throws -> String? {
        try connection.queryFirst(
            """
            SELECT coalesce(nullif(u.display_name, ''), u.email)
            \(audience(group: "?1", program: "?2"))
            ORDER BY length(coalesce(nullif(u.display_name, ''), u.email)) DESC LIMIT 1
            """, groupID, program
        ) { $0.string(at: 0) }
    }

    /// An event's messages counted by kind (`event_start`, `event_end`) and status, with their
    /// attempts whose outcome was unknown.
    public func deliveryCounts(eventID: Int64) throws -> [(kind: String, status: OutboxStatus, count: Int, maybeSent: Int)] {
        try connection.query(
            """
            SELECT kind, status, count(*), sum(maybe_sent) FROM outbox WHERE event_id = ?
            GROUP BY kind, status ORDER BY kind DESC, status
            """,
            eventID
        ) { ($0.string(at: 0), try $0.get(1), Int($0.int64(at: 2)), Int($0.int64(at: 3))) }
    }
}
