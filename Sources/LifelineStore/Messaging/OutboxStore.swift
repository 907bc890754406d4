import FoundationEssentials
import LifelineVocabulary

/// A message to queue. Bodies come from the service's fixed templates.
public struct OutgoingMessage: Sendable {
    public let channel: MessageChannel
    public let destination: String
    public let body: String
    public let kind: String
    public let program: Program
    public let userID: Int64?
    /// The real body, sealed, when it must not be stored in clear (`body` is then a placeholder).
    public let sealedBody: [UInt8]?
    /// `queued` for every message meant to be sent.
    public let status: OutboxStatus
    /// When it stops being worth sending (a code's expiry); dispatch expires it then.
    public let expiresAt: Date?

    public init(
        channel: MessageChannel, destination: String, body: String, kind: String, program: Program, userID: Int64?,
        sealedBody: [UInt8]? = nil, status: OutboxStatus = .queued, expiresAt: Date? = nil
    ) {
        self.status = status
        self.expiresAt = expiresAt
        self.channel = channel
        self.destination = destination
        self.body = body
        self.kind = kind
        self.program = program
        self.userID = userID
        self.sealedBody = sealedBody
    }
}

/// One queued or sent message, as reports show it.
public struct OutboxEntry: Sendable, Equatable {
    public let id: Int64
    public let destination: String
    public let body: String
    public let kind: String
    public let program: Program
    public let status: OutboxStatus
    public let eventID: Int64?
    public let attempts: Int
    public let lastError: String?
    public let createdAt: Date
    /// The provider that took it, once one did.
    public let provider: String?
    /// Attempts whose outcome was unknown: it may have been received that many times more.
    public let maybeSent: Int
}

/// The outbox table: messages waiting to be sent, and what became of them.
public struct OutboxStore {
    public let connection: any SQLConnection

    public init(connection: any SQLConnection) {
        self.connection = connection
    }

    /// Queues a message, due at once; returns its id.
    @discardableResult
    public func enqueue(_ message: OutgoingMessage, at date: Date) throws -> Int64 {
        try connection.insert(
            """
            INSERT INTO outbox
                (channel, destination, body, kind, program, user_id, next_attempt_at, created_at, updated_at, sealed_body,
                 status, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, message.channel, message.destination, message.body, message.kind, message.program, message.userID,
            date, date, date, message.sealedBody.map { Data($0) }, message.status, message.expiresAt)
    }

    /// Deletes a message queued in the caller's still-open transaction (a decoy that must never
    /// be seen, let alone sent).
    public func discard(id: Int64) throws {
        try connection.execute("DELETE FROM outbox WHERE id = ? AND status = 'suppressed'", id)
    }

    /// When a message of `kind` was last queued for this user and destination, if ever.
    public func lastQueued(kind: String, userID: Int64, destination: String) throws -> Date? {
        try connection.queryFirst(
            "SELECT max(created_at) FROM outbox WHERE user_id = ? AND kind = ? AND destination = ?",
            userID, kind, destination
        ) { try $0.get(0, as: Date?.self) } ?? nil
    }

    private static let entryColumns =
        "id, destination, body, kind, program, status, event_id, attempts, last_error, created_at, provider, maybe_sent"

    /// Streams messages, oldest first, optionally only one status or one event's, and a page
    /// (those after the id `afterID`, at most `limit`); ids are never reused, so pages are stable.
    public func forEachMessage(
        status: OutboxStatus?, eventID: Int64? = nil, afterID: Int64? = nil, limit: Int? = nil,
        _ body: (OutboxEntry) throws -> Void
    ) throws {
        try connection.forEachRow(
            """
            SELECT \(Self.entryColumns) FROM outbox
            WHERE (CAST(?1 AS TEXT) IS NULL OR status = ?1) AND (CAST(?2 AS BIGINT) IS NULL OR event_id = ?2) AND id > ?3 ORDER BY id LIMIT ?4
            """, status, eventID, afterID ?? 0, limit ?? Int.max
        ) { try body(try Self.entry(from: $0)) }
    }

    private static func entry(from row: any SQLRow) throws -> OutboxEntry {
        OutboxEntry(
            id: row.int64(at: 0), destination: row.string(at: 1), body: row.string(at: 2), kind: row.string(at: 3),
            program: try row.get(4), status: try row.get(5), eventID: try row.get(6),
            attempts: Int(row.int64(at: 7)), lastError: try row.get(8), createdAt: try row.get(9), provider: try row.get(10),
            maybeSent: Int(row.int64(at: 11)))
    }

    /// How many messages are in each status (statuses with none are absent).
    public func countsByStatus() throws -> [OutboxStatus: Int] {
        var counts: [OutboxStatus: Int] = [:]
        try connection.forEachRow("SELECT status, count(*) FROM outbox GROUP BY status") { row in
            counts[try row.get(0, as: OutboxStatus.self)] = Int(row.int64(at: 1))
        }
        return counts
    }

    /// The messages queued to a destination, oldest first.
    public func messages(to destination: String) throws -> [OutboxEntry] {
        try connection.query(
            "SELECT \(Self.entryColumns) FROM outbox WHERE destination = ? ORDER BY id",
            destination, map: Self.entry)
    }
}
