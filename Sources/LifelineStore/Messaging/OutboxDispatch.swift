import FoundationEssentials
import LifelineVocabulary

/// A message a dispatcher has claimed and will hand to a gateway.
public struct ClaimedMessage: Sendable, Equatable {
    public let id: Int64
    public let channel: MessageChannel
    public let destination: String
    public let body: String
    public let kind: String
    public let program: Program
    public let eventID: Int64?
    public let userID: Int64?
    /// Counting this one.
    public let attempts: Int
    /// The sealed real body, for messages that carry a code.
    public let sealedBody: [UInt8]?
}

/// The dispatch side of the outbox, its statements prepared once per run: claiming due
/// messages, the consent check, and recording what the gateway did.
///
/// A claim sets `sending` and pushes `next_attempt_at` to the end of a lease, in the caller's
/// write transaction: two dispatchers never hold one message, and one that dies mid-run leaves
/// its messages to be claimed again when the lease runs out.
public final class OutboxDispatchWriter {
    public let connection: SQLiteConnection
    /// This run's claim token: outcomes are recorded only on messages it still holds.
    public let token: Int64
    private let claimExpired: SQLiteStatement
    private let claimQueued: SQLiteStatement
    private let suppress: SQLiteStatement
    private let sentOne: SQLiteStatement
    private let sentRest: SQLiteStatement
    private let requeue: SQLiteStatement
    private let end: SQLiteStatement

    public init(connection: SQLiteConnection, token: Int64) throws {
        self.connection = connection
        self.token = token
        // The status is written into the SQL, not bound, so each claim matches its partial index.
        func claim(_ status: String) throws -> SQLiteStatement {
            try connection.prepare(
                """
                UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?1, updated_at = ?2,
                                  claim_token = ?4
                WHERE id IN (SELECT id FROM outbox WHERE status = '\(status)' AND next_attempt_at <= ?2
                             ORDER BY next_attempt_at, id LIMIT ?3)
                RETURNING id, channel, destination, body, kind, program, event_id, user_id, attempts, sealed_body
                """)
        }
        claimExpired = try claim("sending")
        claimQueued = try claim("queued")
        // "This run's batch": still sending, under this lease and this token (outbox_sending index).
        let batch = "status = 'sending' AND next_attempt_at = ?1 AND claim_token = ?2"
        suppress = try connection.prepare(
            """
            UPDATE outbox SET status = 'suppressed', last_error = ?4, updated_at = ?5
            WHERE \(batch) AND program = ?3
              AND NOT EXISTS (
                  SELECT 1 FROM users u
                  JOIN consent_current c ON \(Reachability.currentConsent(user: "u", consent: "c", program: "outbox.program"))
                  WHERE u.id = outbox.user_id AND u.sms_number = outbox.destination
                    AND \(Reachability.mayBeTexted(user: "u", consent: "c")))
            RETURNING id
            """)
        sentOne = try connection.prepare(
            """
            UPDATE outbox SET status = 'sent', provider_id = ?2, last_error = NULL, updated_at = ?3, sealed_body = NULL
            WHERE id = ?1 AND status = 'sending' AND claim_token = ?4
            """)
        sentRest = try connection.prepare(
            "UPDATE outbox SET status = 'sent', last_error = NULL, updated_at = ?3, sealed_body = NULL WHERE \(batch)")
        requeue = try connection.prepare(
            """
            UPDATE outbox SET status = 'queued', next_attempt_at = ?2, last_error = ?3, updated_at = ?4
            WHERE id = ?1 AND status = 'sending' AND claim_token = ?5
            """)
        end = try connection.prepare(
            """
            UPDATE outbox SET status = 'failed', last_error = ?2, updated_at = ?3, sealed_body = NULL
            WHERE id = ?1 AND status = 'sending' AND claim_token = ?4
            """)
    }

    /// Claims up to `limit` due messages for this run, until `leaseUntil`: first those whose
    /// earlier claim's lease ran out, then queued ones.
    public func claimDue(limit: Int, at date: Date, leaseUntil: Date) throws -> [ClaimedMessage] {
        var claimed: [ClaimedMessage] = []
        for statement in [claimExpired, claimQueued] where claimed.count < limit {
            try statement.bind(leaseUntil, at: 1)
            try statement.bind(date, at: 2)
            try statement.bind(int64: Int64(limit - claimed.count), at: 3)
            try statement.bind(int64: token, at: 4)
            try statement.forEachRow { row in
                claimed.append(
                    ClaimedMessage(
                        id: row.int64(at: 0), channel: try row.get(1), destination: row.string(at: 2),
                        body: row.string(at: 3), kind: row.string(at: 4), program: try row.get(5),
                        eventID: try row.get(6), userID: try row.get(7), attempts: Int(row.int64(at: 8)),
                        sealedBody: try row.get(9, as: Data?.self).map { Array($0) }))
            }
        }
        return claimed.sorted { $0.id < $1.id }
    }

    /// Suppresses the batch's messages of the consent-based `program` whose user is not, right
    /// now, active and opted in for that number as their current valid SMS number; returns their ids.
    public func suppressUnconsented(leaseUntil: Date, program: Program, reason: String, at date: Date) throws
        -> Set<Int64>
    {
        try suppress.bind(leaseUntil, at: 1)
        try suppress.bind(int64: token, at: 2)
        try suppress.bind(program, at: 3)
        try suppress.bind(text: reason, at: 4)
        try suppress.bind(date, at: 5)
        var ids = Set<Int64>()
        try suppress.forEachRow { ids.insert($0.int64(at: 0)) }
        return ids
    }

    /// Records one claimed message as sent, with the provider's id for it.
    public func markSent(id: Int64, providerID: String, at date: Date) throws {
        try sentOne.bind(int64: id, at: 1)
        try sentOne.bind(text: providerID, at: 2)
        try sentOne.bind(date, at: 3)
        try sentOne.bind(int64: token, at: 4)
        try sentOne.run()
    }

    /// Records every message of the batch still `sending` as sent: call it after recording the
    /// batch's other outcomes. One statement instead of one per message.
    public func markRestSent(leaseUntil: Date, at date: Date) throws {
        try sentRest.bind(leaseUntil, at: 1)
        try sentRest.bind(int64: token, at: 2)
        try sentRest.bind(date, at: 3)
        try sentRest.run()
    }

    /// Puts a claimed message back in the queue, due at `retryAt`.
    public func reschedule(id: Int64, retryAt: Date, error: String, at date: Date) throws {
        try requeue.bind(int64: id, at: 1)
        try requeue.bind(retryAt, at: 2)
        try requeue.bind(text: error, at: 3)
        try requeue.bind(date, at: 4)
        try requeue.bind(int64: token, at: 5)
        try requeue.run()
    }

    /// Ends a claimed message as `failed`, with the reason.
    public func fail(id: Int64, error: String, at date: Date) throws {
        try end.bind(int64: id, at: 1)
        try end.bind(text: error, at: 2)
        try end.bind(date, at: 3)
        try end.bind(int64: token, at: 4)
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
    public func recordReceipt(id: Int64, status: OutboxStatus, error: String?, at date: Date) throws {
        precondition(status == .delivered || status == .failed, "a receipt says delivered or failed")
        try connection.execute(
            "UPDATE outbox SET status = ?2, last_error = coalesce(?3, last_error), updated_at = ?4 WHERE id = ?1",
            id, status, error, date)
    }
}
