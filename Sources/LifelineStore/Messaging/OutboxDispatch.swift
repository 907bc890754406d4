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

    /// Codes and replies first, then alerts by event, each oldest first.
    var dispatchOrder: (Int, Int64, Int64) { (program == .continuity ? 1 : 0, eventID ?? 0, id) }
}

/// The kinds of an event's two alerts, which dispatch orders: an end alert waits for its
/// event's start alerts, and a start alert expires when its event is no longer active.
public struct AlertKinds: Sendable {
    public let start: String
    public let end: String

    public init(start: String, end: String) {
        self.start = start
        self.end = end
    }
}

/// Why dispatch expired a message instead of sending it, in the words `last_error` keeps.
public struct ExpiryReasons: Sendable {
    public let expired: String
    public let tooOld: String
    public let eventOver: String

    public init(expired: String, tooOld: String, eventOver: String) {
        self.expired = expired
        self.tooOld = tooOld
        self.eventOver = eventOver
    }
}

/// The dispatch side of the outbox, its statements prepared once per run: claiming due
/// messages in priority order, expiring the stale, the consent check, and recording what the
/// providers did.
///
/// A claim sets `sending` and pushes `next_attempt_at` to the end of a lease, in the caller's
/// write transaction (a ``SQLConnection/queueWrite(_:)``, where servers sharing a PostgreSQL
/// database skip the rows another is claiming): two dispatchers never hold one message, and
/// one that dies mid-run leaves its messages to be claimed again when the lease runs out.
public final class OutboxDispatchWriter {
    public let connection: any SQLConnection
    /// This run's claim token: outcomes are recorded only on messages it still holds.
    public let token: Int64
    public let alerts: AlertKinds
    private let claims: [any SQLStatement]
    private let expire: any SQLStatement
    private let suppress: any SQLStatement
    private let sentOne: any SQLStatement
    private let sentRest: any SQLStatement
    private let requeue: any SQLStatement
    private let end: any SQLStatement

    public init(connection: any SQLConnection, token: Int64, alerts: AlertKinds) throws {
        self.connection = connection
        self.token = token
        self.alerts = alerts
        // Each pass names its partial index's condition word for word, so SQLite can use it.
        func claim(_ due: String, order: String) throws -> any SQLStatement {
            try connection.prepare(
                """
                UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?1, updated_at = ?2,
                                  claim_token = ?4
                WHERE id IN (SELECT id FROM outbox o WHERE \(due) AND next_attempt_at <= ?2 ORDER BY \(order) LIMIT ?3
                             \(connection.dialect.skipLocked))
                RETURNING id, channel, destination, body, kind, program, event_id, user_id, attempts, sealed_body
                """)
        }
        // An end alert is not due while any of its event's start alerts is still queued or out
        // with a provider: nobody hears "it is over" before "it has begun".
        // The kinds are bound (?5 start, ?6 end) in claimDue.
        let startsFinished = """
            NOT (o.kind = ?6 AND EXISTS (
                SELECT 1 FROM outbox s
                WHERE s.event_id = o.event_id AND s.kind = ?5
                  AND s.event_id IS NOT NULL AND (s.status = 'queued' OR s.status = 'sending')))
            """
        claims = [
            // A dispatcher that died holding these: their lease ran out.
            try claim("status = 'sending'", order: "next_attempt_at, id"),
            // What a person is waiting for: codes and replies.
            try claim("status = 'queued' AND program <> 'continuity'", order: "next_attempt_at, id"),
            // Bulk alerts, the oldest event's first.
            try claim("status = 'queued' AND program = 'continuity' AND \(startsFinished)", order: "event_id, next_attempt_at, id"),
        ]
        // "This run's batch": still sending, under this lease and this token (outbox_sending index).
        let batch = "status = 'sending' AND next_attempt_at = ?1 AND claim_token = ?2"
        expire = try connection.prepare(
            """
            UPDATE outbox SET status = 'expired', sealed_body = NULL, updated_at = ?3,
                              last_error = CASE WHEN expires_at <= ?3 THEN ?6 WHEN created_at <= ?4 THEN ?7 ELSE ?8 END
            WHERE \(batch)
              AND (expires_at <= ?3 OR created_at <= ?4
                   OR (kind = ?5 AND event_id IS NOT NULL
                       AND EXISTS (SELECT 1 FROM continuity_events e WHERE e.id = outbox.event_id AND e.state <> 'active')))
            RETURNING id
            """)
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
        // A fast carrier's receipt can land before the batch is recorded: the message is then
        // already `delivered` (or `failed`) under this run's token, and keeps that status while
        // the provider, its id and the unknown attempts are still recorded.
        sentOne = try connection.prepare(
            """
            UPDATE outbox SET status = CASE WHEN status = 'sending' THEN 'sent' ELSE status END,
                              provider_id = coalesce(?2, provider_id),
                              last_error = CASE WHEN status = 'sending' THEN NULL ELSE last_error END,
                              updated_at = ?3, sealed_body = NULL, provider = ?5, maybe_sent = maybe_sent + ?6
            WHERE id = ?1 AND claim_token = ?4 AND (status = 'sending' OR status = 'delivered' OR status = 'failed')
            """)
        sentRest = try connection.prepare(
            """
            UPDATE outbox SET status = 'sent', last_error = NULL, updated_at = ?3, sealed_body = NULL, provider = ?4
            WHERE \(batch)
            """)
        requeue = try connection.prepare(
            """
            UPDATE outbox SET status = 'queued', next_attempt_at = ?2, last_error = ?3, updated_at = ?4,
                              maybe_sent = maybe_sent + ?6
            WHERE id = ?1 AND status = 'sending' AND claim_token = ?5
            """)
        end = try connection.prepare(
            """
            UPDATE outbox SET status = 'failed', last_error = ?2, updated_at = ?3, sealed_body = NULL,
                              maybe_sent = maybe_sent + ?5
            WHERE id = ?1 AND status = 'sending' AND claim_token = ?4
            """)
    }

    /// Claims up to `limit` due messages for this run, until `leaseUntil`: first those whose
    /// earlier claim's lease ran out, then codes and replies, then alerts, the oldest event's
    /// first. Returned in that order.
    public func claimDue(limit: Int, at date: Date, leaseUntil: Date) throws -> [ClaimedMessage] {
        var claimed: [ClaimedMessage] = []
        for statement in claims where claimed.count < limit {
            var pass: [ClaimedMessage] = []
            try statement.bind(leaseUntil, at: 1)
            try statement.bind(date, at: 2)
            try statement.bind(int64: Int64(limit - claimed.count), at: 3)
            try statement.bind(int64: token, at: 4)
            if statement === claims.last {
                try statement.bind(text: alerts.start, at: 5)
                try statement.bind(text: alerts.end, at: 6)
            }
            try statement.forEachRow { row in
                pass.append(
                    ClaimedMessage(
                        id: row.int64(at: 0), channel: try row.get(1), destination: row.string(at: 2),
                        body: row.string(at: 3), kind: row.string(at: 4), program: try row.get(5),
                        eventID: try row.get(6), userID: try row.get(7), attempts: Int(row.int64(at: 8)),
                        sealedBody: try row.get(9, as: Data?.self).map { Array($0) }))
            }
            // RETURNING gives rows in no promised order.
            claimed += pass.sorted { $0.dispatchOrder < $1.dispatchOrder }
        }
        return claimed
    }

    /// Expires the batch's messages no longer worth sending: past their `expires_at`, created
    /// at or before `createdCutoff`, or a start alert whose event is no longer active. Returns
    /// their ids.
    public func expireStale(leaseUntil: Date, at date: Date, createdCutoff: Date, reasons: ExpiryReasons) throws -> Set<Int64> {
        try expire.bind(leaseUntil, at: 1)
        try expire.bind(int64: token, at: 2)
        try expire.bind(date, at: 3)
        try expire.bind(createdCutoff, at: 4)
        try expire.bind(text: alerts.start, at: 5)
        try expire.bind(text: reasons.expired, at: 6)
        try expire.bind(text: reasons.tooOld, at: 7)
        try expire.bind(text: reasons.eventOver, at: 8)
        var ids = Set<Int64>()
        try expire.forEachRow { ids.insert($0.int64(at: 0)) }
        return ids
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

    /// Records one claimed message as sent by `provider`, with the provider's id for it, and
    /// the attempts before it whose outcome was unknown.
    public func markSent(id: Int64, providerID: String?, provider: String, maybeSent: Int, at date: Date) throws {
        try sentOne.bind(int64: id, at: 1)
        try sentOne.bind(providerID, at: 2)
        try sentOne.bind(date, at: 3)
        try sentOne.bind(int64: token, at: 4)
        try sentOne.bind(text: provider, at: 5)
        try sentOne.bind(int64: Int64(maybeSent), at: 6)
        try sentOne.run()
    }

    /// Records every message of the batch still `sending` as sent by `provider`: call it after
    /// recording the batch's other outcomes. One statement instead of one per message.
    public func markRestSent(leaseUntil: Date, provider: String, at date: Date) throws {
        try sentRest.bind(leaseUntil, at: 1)
        try sentRest.bind(int64: token, at: 2)
        try sentRest.bind(date, at: 3)
        try sentRest.bind(text: provider, at: 4)
        try sentRest.run()
    }

    /// Puts a claimed message back in the queue, due at `retryAt`, counting attempts whose
    /// outcome was unknown.
    public func reschedule(id: Int64, retryAt: Date, error: String, maybeSent: Int = 0, at date: Date) throws {
        try requeue.bind(int64: id, at: 1)
        try requeue.bind(retryAt, at: 2)
        try requeue.bind(text: error, at: 3)
        try requeue.bind(date, at: 4)
        try requeue.bind(int64: token, at: 5)
        try requeue.bind(int64: Int64(maybeSent), at: 6)
        try requeue.run()
    }

    /// Ends a claimed message as `failed`, with the reason.
    public func fail(id: Int64, error: String, maybeSent: Int = 0, at date: Date) throws {
        try end.bind(int64: id, at: 1)
        try end.bind(text: error, at: 2)
        try end.bind(date, at: 3)
        try end.bind(int64: token, at: 4)
        try end.bind(int64: Int64(maybeSent), at: 5)
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

    /// Records a delivery receipt: `delivered`, or `failed` with the carrier's error, and the
    /// provider that carried it when the receipt says.
    public func recordReceipt(id: Int64, status: OutboxStatus, error: String?, provider: String? = nil, at date: Date) throws {
        precondition(status == .delivered || status == .failed, "a receipt says delivered or failed")
        try connection.execute(
            """
            UPDATE outbox SET status = ?2, last_error = coalesce(?3, last_error), updated_at = ?4, provider = coalesce(?5, provider)
            WHERE id = ?1
            """, id, status, error, date, provider)
    }
}
