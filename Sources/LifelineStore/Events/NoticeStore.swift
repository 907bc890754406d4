import FoundationEssentials
import LifelineVocabulary

/// One drafted event's on-call notices: the next round's time, how many went, the automatic
/// start if its template asks for one, and when (and why) they stopped.
public struct NoticeRecord: Sendable, Equatable {
    public let eventID: Int64
    public let firstAt: Date
    public let nextAt: Date
    public let rounds: Int
    public let autoStartAt: Date?
    public let closedAt: Date?
    public let closedReason: String?

    public init(
        eventID: Int64, firstAt: Date, nextAt: Date, rounds: Int, autoStartAt: Date?, closedAt: Date?, closedReason: String?
    ) {
        self.eventID = eventID
        self.firstAt = firstAt
        self.nextAt = nextAt
        self.rounds = rounds
        self.autoStartAt = autoStartAt
        self.closedAt = closedAt
        self.closedReason = closedReason
    }
}

/// One link texted to one on-call account.
public struct NoticeLinkRecord: Sendable, Equatable {
    public let id: Int64
    public let eventID: Int64
    public let userID: Int64
    public let expiresAt: Date
    public let usedAt: Date?
    public let usedBy: String?
}

/// A console account that takes on-call notices, with the number they go to.
public struct OnCallRecipient: Sendable, Equatable {
    public let userID: Int64
    public let email: String
    public let number: String
}

/// The SQL for on-call notices and their links. Writes run inside the caller's transaction.
public struct NoticeStore {
    let connection: any SQLConnection

    public init(connection: any SQLConnection) {
        self.connection = connection
    }

    /// Console accounts on call whose user is active with a valid number, by email.
    public func onCallRecipients() throws -> [OnCallRecipient] {
        try connection.query(
            """
            SELECT r.user_id, u.email, u.sms_number FROM console_roles r JOIN users u ON u.id = r.user_id
            WHERE r.on_call = 1 AND u.status = 'active' AND u.sms_status = 'valid'
            ORDER BY \(connection.dialect.caseless("u.email"))
            """
        ) { row in OnCallRecipient(userID: row.int64(at: 0), email: row.string(at: 1), number: row.string(at: 2)) }
    }

    /// Opens the notices of a drafted event; false when it already had them.
    public func open(eventID: Int64, at date: Date, autoStartAt: Date?) throws -> Bool {
        try connection.execute(
            """
            INSERT INTO event_notices (event_id, first_at, next_at, rounds, auto_start_at) VALUES (?, ?, ?, 0, ?)
            ON CONFLICT (event_id) DO NOTHING
            """, eventID, date, date, autoStartAt)
        return connection.changes == 1
    }

    private static let columns = "event_id, first_at, next_at, rounds, auto_start_at, closed_at, closed_reason"

    private func notice(from row: any SQLRow) throws -> NoticeRecord {
        NoticeRecord(
            eventID: row.int64(at: 0), firstAt: try row.get(1), nextAt: try row.get(2), rounds: Int(row.int64(at: 3)),
            autoStartAt: try row.get(4), closedAt: try row.get(5), closedReason: try row.get(6))
    }

    public func notice(eventID: Int64) throws -> NoticeRecord? {
        try connection.queryFirst("SELECT \(Self.columns) FROM event_notices WHERE event_id = ?", eventID, map: notice)
    }

    /// Open notices with a round or an automatic start due at `date`.
    public func due(at date: Date) throws -> [NoticeRecord] {
        try connection.query(
            """
            SELECT \(Self.columns) FROM event_notices
            WHERE closed_at IS NULL AND (next_at <= ?1 OR auto_start_at <= ?1) ORDER BY event_id
            """, date, map: notice)
    }

    /// Records a round sent (state-checked by its number, so two servers send it once); false
    /// when another already did.
    public func sent(eventID: Int64, round: Int, next: Date) throws -> Bool {
        try connection.execute(
            "UPDATE event_notices SET rounds = ?, next_at = ? WHERE event_id = ? AND rounds = ? AND closed_at IS NULL",
            Int64(round), next, eventID, Int64(round - 1))
        return connection.changes == 1
    }

    /// Stops the notices; false when they already were.
    public func close(eventID: Int64, reason: String, at date: Date) throws -> Bool {
        try connection.execute(
            "UPDATE event_notices SET closed_at = ?, closed_reason = ? WHERE event_id = ? AND closed_at IS NULL", date, reason, eventID)
        return connection.changes == 1
    }

    /// Drops the automatic start (it failed, or the event was decided before it came).
    public func clearAutoStart(eventID: Int64) throws {
        try connection.execute("UPDATE event_notices SET auto_start_at = NULL WHERE event_id = ?", eventID)
    }

    /// Records a link for one account; returns its id, which the signed text carries.
    public func createLink(eventID: Int64, userID: Int64, at date: Date, expiresAt: Date) throws -> Int64 {
        try connection.insert(
            "INSERT INTO notice_links (event_id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)", eventID, userID, date, expiresAt)
    }

    public func link(id: Int64) throws -> NoticeLinkRecord? {
        try connection.queryFirst(
            "SELECT id, event_id, user_id, expires_at, used_at, used_by FROM notice_links WHERE id = ?", id
        ) { row in
            NoticeLinkRecord(
                id: row.int64(at: 0), eventID: row.int64(at: 1), userID: row.int64(at: 2), expiresAt: try row.get(3),
                usedAt: try row.get(4), usedBy: try row.get(5))
        }
    }

    /// Uses a link up; false when it already was.
    public func use(linkID: Int64, by actor: String, at date: Date) throws -> Bool {
        try connection.execute("UPDATE notice_links SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL", date, actor, linkID)
        return connection.changes == 1
    }
}
