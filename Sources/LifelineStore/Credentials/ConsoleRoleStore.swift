import FoundationEssentials
import LifelineVocabulary

/// One console account: the directory user and the role given.
public struct ConsoleAccount: Sendable, Equatable {
    public let userID: Int64
    public let email: String
    public let role: ConsoleRole
    public let grantedAt: Date
    public let grantedBy: String
    /// Whether they are texted when monitoring drafts an event.
    public let onCall: Bool

    public init(userID: Int64, email: String, role: ConsoleRole, grantedAt: Date, grantedBy: String, onCall: Bool = false) {
        self.onCall = onCall
        self.userID = userID
        self.email = email
        self.role = role
        self.grantedAt = grantedAt
        self.grantedBy = grantedBy
    }
}

/// The console_roles table. Writes run inside the caller's write transaction.
public struct ConsoleRoleStore {
    public let connection: any SQLConnection

    public init(connection: any SQLConnection) {
        self.connection = connection
    }

    /// Gives the user `role`, replacing any role they had; `onCall` nil keeps their on-call
    /// choice (off for a new account).
    public func grant(userID: Int64, role: ConsoleRole, onCall: Bool?, by actor: String, at date: Date) throws {
        try connection.execute(
            """
            INSERT INTO console_roles (user_id, role, granted_at, granted_by, on_call) VALUES (?1, ?2, ?3, ?4, coalesce(?5, 0))
            ON CONFLICT (user_id) DO UPDATE SET role = ?2, granted_at = ?3, granted_by = ?4,
                on_call = coalesce(?5, console_roles.on_call)
            """, userID, role, date, actor, onCall)
    }

    /// Turns the account's on-call notices on or off; false when the user has no console role.
    public func setOnCall(userID: Int64, _ onCall: Bool) throws -> Bool {
        try connection.execute("UPDATE console_roles SET on_call = ? WHERE user_id = ?", onCall, userID)
        return connection.changes == 1
    }

    /// Whether the account is on call (false without a console role).
    public func isOnCall(userID: Int64) throws -> Bool {
        try connection.queryFirst("SELECT on_call FROM console_roles WHERE user_id = ?", userID) { try $0.get(0) } ?? false
    }

    /// Whether there was a role to take away.
    public func revoke(userID: Int64) throws -> Bool {
        try connection.execute("DELETE FROM console_roles WHERE user_id = ?", userID)
        return connection.changes == 1
    }

    /// The user's role, if any.
    public func role(userID: Int64) throws -> ConsoleRole? {
        try connection.queryFirst("SELECT role FROM console_roles WHERE user_id = ?", userID) { try $0.get(0) }
    }

    /// Every console account, by email.
    public func all() throws -> [ConsoleAccount] {
        try connection.query(
            """
            SELECT r.user_id, u.email, r.role, r.granted_at, r.granted_by, r.on_call
            FROM console_roles r JOIN users u ON u.id = r.user_id ORDER BY \(connection.dialect.caseless("u.email"))
            """
        ) { row in
            ConsoleAccount(
                userID: row.int64(at: 0), email: row.string(at: 1), role: try row.get(2), grantedAt: try row.get(3),
                grantedBy: row.string(at: 4), onCall: try row.get(5))
        }
    }
}
