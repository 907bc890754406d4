import FoundationEssentials
import LifelineVocabulary

/// One session as stored, with what every page needs about its user.
public struct WebSessionRecord: Sendable, Equatable {
    public let area: WebArea
    public let userID: Int64
    public let email: String
    public let stage: WebSessionStage
    public let loginRequestID: String?
    public let createdAt: Date
    public let lastSeenAt: Date
    /// The user's console role now (nil when none): read with the session, so a revoked role
    /// closes the console at the next page.
    public let role: ConsoleRole?
}

/// The web_sessions and captcha_answers tables. Writes run inside the caller's write transaction.
public struct WebSessionStore {
    public let connection: any SQLConnection

    public init(connection: any SQLConnection) {
        self.connection = connection
    }

    public func insert(
        tokenSHA256: String, area: WebArea, userID: Int64, stage: WebSessionStage, loginRequestID: String?, at date: Date
    ) throws {
        try connection.execute(
            """
            INSERT INTO web_sessions (token_sha256, area, user_id, stage, login_request_id, created_at, last_seen_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
            """, tokenSHA256, area, userID, stage, loginRequestID, date)
    }

    /// The session of an active user with this token hash, whatever its age.
    public func session(tokenSHA256: String) throws -> WebSessionRecord? {
        try connection.queryFirst(
            """
            SELECT s.area, s.user_id, u.email, s.stage, s.login_request_id, s.created_at, s.last_seen_at, r.role
            FROM web_sessions s JOIN users u ON u.id = s.user_id AND u.status = 'active'
            LEFT JOIN console_roles r ON r.user_id = s.user_id
            WHERE s.token_sha256 = ?
            """, tokenSHA256
        ) { row in
            WebSessionRecord(
                area: try row.get(0), userID: row.int64(at: 1), email: row.string(at: 2), stage: try row.get(3),
                loginRequestID: try row.get(4), createdAt: try row.get(5), lastSeenAt: try row.get(6), role: try row.get(7))
        }
    }

    public func touch(tokenSHA256: String, at date: Date) throws {
        try connection.execute("UPDATE web_sessions SET last_seen_at = ? WHERE token_sha256 = ?", date, tokenSHA256)
    }

    /// Whether there was such a session.
    public func delete(tokenSHA256: String) throws -> Bool {
        try connection.execute("DELETE FROM web_sessions WHERE token_sha256 = ?", tokenSHA256)
        return connection.changes == 1
    }

    /// Every session of the user, portal and console; returns how many went.
    public func deleteAll(userID: Int64) throws -> Int {
        try connection.execute("DELETE FROM web_sessions WHERE user_id = ?", userID)
        return connection.changes
    }

    /// Sessions idle since before `idleBefore` or begun before `createdBefore`; returns how many went.
    public func deleteExpired(idleBefore: Date, createdBefore: Date) throws -> Int {
        try connection.execute("DELETE FROM web_sessions WHERE last_seen_at < ? OR created_at < ?", idleBefore, createdBefore)
        return connection.changes
    }

    /// Records an answered challenge; false when it was answered before.
    public func spendChallenge(id: String, expiresAt: Date) throws -> Bool {
        try connection.execute(
            "INSERT INTO captcha_answers (challenge_id, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING", id, expiresAt)
        return connection.changes == 1
    }

    /// Answered challenges that expired before `date`: replaying them fails on expiry anyway.
    public func deleteSpentChallenges(expiredBefore date: Date) throws -> Int {
        try connection.execute("DELETE FROM captcha_answers WHERE expires_at < ?", date)
        return connection.changes
    }
}
