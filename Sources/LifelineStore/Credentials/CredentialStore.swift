import FoundationEssentials

/// A user's password hash and 2-step state as stored.
public struct CredentialRecord: Sendable, Equatable {
    public let userID: Int64
    public let passwordHash: String?
    public let passwordChangedAt: Date?
    /// The number the user last completed 2-step sign-in with.
    public let twoStepNumber: String?
    public let lastLoginAt: Date?
}

/// The user_credentials table: passwords and the number 2-step sign-in last trusted.
public struct CredentialStore {
    public let connection: any SQLConnection

    public init(connection: any SQLConnection) {
        self.connection = connection
    }

    public func credentials(userID: Int64) throws -> CredentialRecord? {
        try connection.queryFirst(
            """
            SELECT user_id, password_hash, password_changed_at, two_step_number, last_login_at
            FROM user_credentials WHERE user_id = ?
            """, userID
        ) {
            CredentialRecord(
                userID: $0.int64(at: 0), passwordHash: try $0.get(1), passwordChangedAt: try $0.get(2),
                twoStepNumber: try $0.get(3), lastLoginAt: try $0.get(4))
        }
    }

    /// Stores a new password hash and when it changed.
    public func setPassword(userID: Int64, hash: String, at date: Date) throws {
        try connection.execute(
            """
            INSERT INTO user_credentials (user_id, password_hash, password_changed_at) VALUES (?1, ?2, ?3)
            ON CONFLICT (user_id) DO UPDATE SET password_hash = ?2, password_changed_at = ?3
            """, userID, hash, date)
    }

    /// Replaces a hash with a stronger one of the same password (the change time stays).
    public func rehash(userID: Int64, hash: String) throws {
        try connection.execute("UPDATE user_credentials SET password_hash = ? WHERE user_id = ?", hash, userID)
    }

    /// Records a completed login; with a 2-step number, that number is now the trusted one.
    public func recordLogin(userID: Int64, twoStepNumber: String?, at date: Date) throws {
        try connection.execute(
            """
            INSERT INTO user_credentials (user_id, two_step_number, two_step_verified_at, last_login_at)
            VALUES (?1, ?2, CASE WHEN CAST(?2 AS TEXT) IS NULL THEN NULL ELSE ?3 END, ?3)
            ON CONFLICT (user_id) DO UPDATE SET
                two_step_number = coalesce(?2, user_credentials.two_step_number),
                two_step_verified_at = CASE WHEN CAST(?2 AS TEXT) IS NULL THEN user_credentials.two_step_verified_at ELSE ?3 END,
                last_login_at = ?3
            """, userID, twoStepNumber, date)
    }
}
