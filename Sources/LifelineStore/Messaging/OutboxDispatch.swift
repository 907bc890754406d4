import FoundationEssentials

/// A message a dispatcher has claimed and will hand to a gateway.
public struct ClaimedMessage: Sendable, Equatable {
    public let id: Int64
    public let channel: String
    public let destination: String
    public let body: String
    public let kind: String
    public let program: String
    public let eventID: Int64?
    public let userID: Int64?
    /// Counting this one.
    public let attempts: Int
}

/// The dispatch side of the outbox, its statements prepared once per run: claiming due
/// messages, the consent check, and recording what the gateway did.
///
/// A claim sets `sending` and pushes `next_attempt_at` to the end of a lease, in the caller's
/// write transaction: two dispatchers never hold one message, and one that dies mid-run leaves
/// its messages to be claimed again when the lease runs out.
public final class OutboxDispatchWriter {
    public let connection: SQLiteConnection
    private let claimExpired: SQLiteStatement
    private let claimQueued: SQLiteStatement
    private let optedIn: SQLiteStatement
    private let sent: SQLiteStatement
    private let requeue: SQLiteStatement
    private let end: SQLiteStatement

    public init(connection: SQLiteConnection) throws {
        self.connection = connection
        // The status is written into the SQL, not bound, so each claim matches its partial index.
        func claim(_ status: String) throws -> SQLiteStatement {
            try connection.prepare(
                """
                UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?1, updated_at = ?2
                WHERE id IN (SELECT id FROM outbox WHERE status = '\(status)' AND next_attempt_at <= ?2
                             ORDER BY next_attempt_at, id LIMIT ?3)
                RETURNING id, channel, destination, body, kind, program, event_id, user_id, attempts
                """)
        }
        claimExpired = try claim("sending")
        claimQueued = try claim("queued")
        optedIn = try connection.prepare(
            """
            SELECT 1 FROM users u
            JOIN user_attributes v ON v.user_id = u.id AND v.attribute_id = ?2 AND v.value = ?3
            JOIN consent_current c ON c.user_id = u.id AND c.program = ?4 AND c.number = ?3 AND c.state = 'opted_in'
            WHERE u.id = ?1 AND u.status = 'active'
            """)
        sent = try connection.prepare(
            """
            UPDATE outbox SET status = 'sent', provider_id = ?2, last_error = NULL, updated_at = ?3
            WHERE id = ?1 AND status = 'sending'
            """)
        requeue = try connection.prepare(
            """
            UPDATE outbox SET status = 'queued', next_attempt_at = ?2, last_error = ?3, updated_at = ?4
            WHERE id = ?1 AND status = 'sending'
            """)
        end = try connection.prepare(
            "UPDATE outbox SET status = ?2, last_error = ?3, updated_at = ?4 WHERE id = ?1 AND status = 'sending'")
    }

    /// Claims up to `limit` due messages: first those whose earlier claim's lease ran out, then queued ones.
    public func claimDue(limit: Int, at date: Date, leaseUntil: Date) throws -> [ClaimedMessage] {
        var claimed: [ClaimedMessage] = []
        for statement in [claimExpired, claimQueued] where claimed.count < limit {
            try statement.bind(leaseUntil, at: 1)
            try statement.bind(date, at: 2)
            try statement.bind(int64: Int64(limit - claimed.count), at: 3)
            try statement.forEachRow { row in
                claimed.append(
                    ClaimedMessage(
                        id: row.int64(at: 0), channel: row.string(at: 1), destination: row.string(at: 2),
                        body: row.string(at: 3), kind: row.string(at: 4), program: row.string(at: 5),
                        eventID: try row.get(6), userID: try row.get(7), attempts: Int(row.int64(at: 8))))
            }
        }
        return claimed.sorted { $0.id < $1.id }
    }

    /// Whether the user is, right now, active and opted in to `program` for `number`, and
    /// `number` is still their SMS number.
    public func isOptedIn(userID: Int64, number: String, program: String, smsAttributeID: Int64) throws -> Bool {
        try optedIn.bind(int64: userID, at: 1)
        try optedIn.bind(int64: smsAttributeID, at: 2)
        try optedIn.bind(text: number, at: 3)
        try optedIn.bind(text: program, at: 4)
        return try optedIn.first { _ in true } ?? false
    }

    /// Records a claimed message as sent.
    public func markSent(id: Int64, providerID: String?, at date: Date) throws {
        try sent.bind(int64: id, at: 1)
        if let providerID { try sent.bind(text: providerID, at: 2) } else { try sent.bindNull(at: 2) }
        try sent.bind(date, at: 3)
        try sent.run()
    }

    /// Puts a claimed message back in the queue, due at `retryAt`.
    public func reschedule(id: Int64, retryAt: Date, error: String, at date: Date) throws {
        try requeue.bind(int64: id, at: 1)
        try requeue.bind(retryAt, at: 2)
        try requeue.bind(text: error, at: 3)
        try requeue.bind(date, at: 4)
        try requeue.run()
    }

    /// Ends a claimed message as `failed` or `suppressed`, with the reason.
    public func finish(id: Int64, status: String, error: String, at date: Date) throws {
        precondition(status == "failed" || status == "suppressed", "finish ends a message as failed or suppressed")
        try end.bind(int64: id, at: 1)
        try end.bind(text: status, at: 2)
        try end.bind(text: error, at: 3)
        try end.bind(date, at: 4)
        try end.run()
    }
}

/// Receipts and the state of one message.
extension OutboxStore {
    /// What a message's idempotency key is made of: this prefix and its id.
    public static let idempotencyKeyPrefix = "lifeline-"

    /// The message a receipt names: by outbox id or idempotency key (`lifeline-ID`), else by
    /// the provider's id.
    public func messageID(forReceipt reference: String) throws -> Int64? {
        let ownID = reference.hasPrefix(Self.idempotencyKeyPrefix) ? reference.dropFirst(Self.idempotencyKeyPrefix.count) : reference[...]
        if let id = Int64(ownID),
            let found = try connection.queryFirst("SELECT id FROM outbox WHERE id = ?", id, map: { $0.int64(at: 0) })
        {
            return found
        }
        return try connection.queryFirst(
            "SELECT id FROM outbox WHERE provider_id = ? ORDER BY id DESC LIMIT 1", reference, map: { $0.int64(at: 0) })
    }

    /// A message's status, attempts and last error.
    public func state(id: Int64) throws -> (status: String, attempts: Int, lastError: String?, providerID: String?)? {
        try connection.queryFirst(
            "SELECT status, attempts, last_error, provider_id FROM outbox WHERE id = ?", id
        ) { ($0.string(at: 0), Int($0.int64(at: 1)), try $0.get(2), try $0.get(3)) }
    }

    /// Records a delivery receipt: `delivered`, or `failed` with the carrier's error.
    public func recordReceipt(id: Int64, status: String, error: String?, at date: Date) throws {
        precondition(status == "delivered" || status == "failed", "a receipt says delivered or failed")
        try connection.execute(
            "UPDATE outbox SET status = ?2, last_error = coalesce(?3, last_error), updated_at = ?4 WHERE id = ?1",
            id, status, error, date)
    }
}
