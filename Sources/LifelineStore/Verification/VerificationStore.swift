import FoundationEssentials
import LifelineVocabulary

/// A verification request as stored (never with a code: only its keyed hash).
public struct VerificationRecord: Sendable, Equatable {
    public let id: Int64
    public let requestID: String
    public let userID: Int64?
    public let email: String
    public let purpose: VerificationPurpose
    public let status: VerificationStatus
    public let reason: String?
    public let number: String?
    public let codeHMAC: [UInt8]?
    public let keyID: String?
    public let attempts: Int
    public let createdAt: Date
    public let expiresAt: Date?
    public let usedAt: Date?
    public let retryAfter: Date?
    public let channel: MessageChannel
    /// The flow that made it.
    public let origin: VerificationOrigin
    /// When the password reset it approved was completed.
    public let completedAt: Date?
}

/// What a new request stores.
public struct NewVerificationRequest: Sendable {
    public var requestID: String
    public var userID: Int64?
    public var email: String
    public var purpose: VerificationPurpose
    public var status: VerificationStatus
    public var reason: String?
    public var number: String?
    public var codeHMAC: [UInt8]?
    public var keyID: String?
    public var expiresAt: Date?
    public var retryAfter: Date?
    public var channel: MessageChannel
    public var origin: VerificationOrigin

    public init(
        requestID: String, userID: Int64?, email: String, purpose: VerificationPurpose, status: VerificationStatus,
        reason: String? = nil, number: String? = nil, codeHMAC: [UInt8]? = nil, keyID: String? = nil,
        expiresAt: Date? = nil, retryAfter: Date? = nil, channel: MessageChannel = .sms, origin: VerificationOrigin = .codes
    ) {
        self.requestID = requestID
        self.userID = userID
        self.email = email
        self.purpose = purpose
        self.status = status
        self.reason = reason
        self.number = number
        self.codeHMAC = codeHMAC
        self.keyID = keyID
        self.expiresAt = expiresAt
        self.retryAfter = retryAfter
        self.channel = channel
        self.origin = origin
    }
}

/// The verification_requests table: requests, their hashed codes, the rate-limit counts and the purge.
public struct VerificationStore {
    public let connection: any SQLConnection

    public init(connection: any SQLConnection) {
        self.connection = connection
    }

    private static let columns = """
        id, request_id, user_id, email, purpose, status, reason, number, code_hmac, key_id, attempts, created_at,
        expires_at, used_at, retry_after, channel, origin, completed_at
        """

    private static func record(from row: any SQLRow) throws -> VerificationRecord {
        VerificationRecord(
            id: row.int64(at: 0), requestID: row.string(at: 1), userID: try row.get(2), email: row.string(at: 3),
            purpose: try row.get(4), status: try row.get(5), reason: try row.get(6), number: try row.get(7),
            codeHMAC: try row.get(8, as: Data?.self).map { Array($0) }, keyID: try row.get(9),
            attempts: Int(row.int64(at: 10)), createdAt: try row.get(11), expiresAt: try row.get(12),
            usedAt: try row.get(13), retryAfter: try row.get(14), channel: try row.get(15), origin: try row.get(16),
            completedAt: try row.get(17))
    }

    public func request(id requestID: String) throws -> VerificationRecord? {
        try connection.queryFirst(
            "SELECT \(Self.columns) FROM verification_requests WHERE request_id = ?", requestID, map: Self.record)
    }

    /// Stores a request; `closed_at` is its expiry when a code was sent, else now.
    @discardableResult
    public func insert(_ request: NewVerificationRequest, at date: Date) throws -> Int64 {
        try connection.insert(
            """
            INSERT INTO verification_requests
                (request_id, user_id, email, purpose, status, reason, number, code_hmac, key_id, created_at, expires_at,
                 retry_after, closed_at, channel, origin)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, request.requestID, request.userID, request.email, request.purpose, request.status, request.reason,
            request.number, request.codeHMAC.map { Data($0) }, request.keyID, date, request.expiresAt,
            request.retryAfter, request.expiresAt ?? date, request.channel, request.origin)
    }

    /// Links a request to the outbox message that carries its code (or its notice).
    public func attach(outboxID: Int64, to id: Int64) throws {
        try connection.execute("UPDATE verification_requests SET outbox_id = ? WHERE id = ?", outboxID, id)
    }

    /// Marks the user's codes for `purpose` that are still live as superseded; returns how many.
    @discardableResult
    public func supersedeLive(userID: Int64, purpose: VerificationPurpose, at date: Date) throws -> Int {
        try connection.execute(
            """
            UPDATE verification_requests SET status = 'superseded', closed_at = ?3
            WHERE user_id = ?1 AND purpose = ?2 AND status = 'sent' AND expires_at > ?3
            """, userID, purpose, date)
        return connection.changes
    }

    /// The times of the messages (codes and notices) sent to a user for `purpose` after `start`, oldest first.
    public func codesSent(userID: Int64, purpose: VerificationPurpose, after start: Date) throws -> [Date] {
        try connection.query(
            """
            SELECT created_at FROM verification_requests
            WHERE user_id = ? AND purpose = ? AND created_at > ? AND outbox_id IS NOT NULL ORDER BY created_at
            """, userID, purpose, start, map: { try $0.get(0) })
    }

    /// The times of the messages (codes and notices) sent to a number after `start`, oldest first.
    public func codesSent(number: String, after start: Date) throws -> [Date] {
        try connection.query(
            """
            SELECT created_at FROM verification_requests
            WHERE number = ? AND created_at > ? AND outbox_id IS NOT NULL ORDER BY created_at
            """, number, start, map: { try $0.get(0) })
    }

    /// Whether the email made a reset request after the one with row id `id`.
    public func hasLaterResetRequest(email: String, after id: Int64) throws -> Bool {
        try connection.queryFirst(
            // The origin is written in, not bound, so the query matches the partial index verification_resets_by_email.
            """
            SELECT 1 FROM verification_requests
            WHERE \(connection.dialect.foldedCase("email")) = \(connection.dialect.foldedCase("?")) AND origin = '\(VerificationOrigin.reset.rawValue)' AND id > ? LIMIT 1
            """,
            email, id
        ) { _ in true } ?? false
    }

    /// Counts one more verification attempt.
    public func countAttempt(id: Int64) throws {
        try connection.execute("UPDATE verification_requests SET attempts = attempts + 1 WHERE id = ?", id)
    }

    /// Marks a request's code used.
    public func markApproved(id: Int64, at date: Date) throws {
        try connection.execute(
            "UPDATE verification_requests SET status = 'approved', used_at = ?2, closed_at = ?2 WHERE id = ?1", id, date)
    }

    /// Marks an approved reset completed, once: false when it already was.
    public func markCompleted(id: Int64, at date: Date) throws -> Bool {
        try connection.execute(
            "UPDATE verification_requests SET completed_at = ? WHERE id = ? AND completed_at IS NULL", date, id)
        return connection.changes == 1
    }

    /// What still depends on the secret at `date`: codes that can still be verified, and
    /// messages waiting to be sent whose bodies are sealed.
    public func sealedMaterial(at date: Date) throws -> (liveCodes: Int, sealedMessages: Int) {
        let codes = try connection.queryFirst(
            "SELECT count(*) FROM verification_requests WHERE status = 'sent' AND key_id IS NOT NULL AND expires_at > ?", date
        ) { Int($0.int64(at: 0)) } ?? 0
        let messages = try connection.queryFirst(
            "SELECT count(*) FROM outbox WHERE sealed_body IS NOT NULL AND (status = 'queued' OR status = 'sending')"
        ) { Int($0.int64(at: 0)) } ?? 0
        return (codes, messages)
    }

    /// Deletes up to `limit` requests closed before `cutoff`; returns how many.
    public func purgeClosed(before cutoff: Date, limit: Int) throws -> Int {
        try connection.execute(
            """
            DELETE FROM verification_requests WHERE id IN
                (SELECT id FROM verification_requests WHERE closed_at < ? ORDER BY closed_at LIMIT ?)
            """, cutoff, Int64(limit))
        return connection.changes
    }

    /// Deletes up to `limit` verification messages that were sent, delivered or failed before `cutoff`.
    ///
    /// The program is written in from its enum, not bound: only then does SQLite use the partial
    /// index outbox_by_program, whose WHERE names it.
    public func purgeMessages(before cutoff: Date, limit: Int) throws -> Int {
        try connection.execute(
            """
            DELETE FROM outbox WHERE id IN
                (SELECT id FROM outbox WHERE program = '\(Program.verification.rawValue)' AND updated_at < ?
                   AND status IN ('sent', 'delivered', 'failed', 'suppressed') LIMIT ?)
            """, cutoff, Int64(limit))
        return connection.changes
    }
}
