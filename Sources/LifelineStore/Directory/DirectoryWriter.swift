import FoundationEssentials

/// The statements of a bulk directory import, prepared once: per row there is no SQL to hash
/// or look up, and a user the import has just created gets plain INSERTs.
///
/// Use it inside the caller's `connection.write { }` transaction.
public final class DirectoryWriter {
    /// The tables an import writes row by row.
    public static let tables = ["users", "user_attributes", "group_memberships"]

    private let connection: SQLiteConnection
    private let insertUser: SQLiteStatement
    private let findUser: SQLiteStatement
    private let updateUser: SQLiteStatement
    private let insertValue: SQLiteStatement
    private let upsertValue: SQLiteStatement
    private let deleteValue: SQLiteStatement
    private let selectValues: SQLiteStatement
    private let insertMembership: SQLiteStatement
    private let insertMembershipIfMissing: SQLiteStatement
    private let deleteMembership: SQLiteStatement
    private let selectMemberships: SQLiteStatement

    public init(connection: SQLiteConnection) throws {
        self.connection = connection
        insertUser = try connection.prepare(
            """
            INSERT INTO users (email, display_name, status, created_at, updated_at, sms_status, sms_number, sms_note)
            VALUES (?, ?, 'active', ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING
            """)
        findUser = try connection.prepare("SELECT id, display_name, status FROM users WHERE email = ?")
        updateUser = try connection.prepare("UPDATE users SET display_name = ?, status = ?, updated_at = ? WHERE id = ?")
        insertValue = try connection.prepare(
            "INSERT INTO user_attributes (user_id, attribute_id, value, updated_at) VALUES (?, ?, ?, ?)")
        upsertValue = try connection.prepare(
            """
            INSERT INTO user_attributes (user_id, attribute_id, value, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (user_id, attribute_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """)
        deleteValue = try connection.prepare("DELETE FROM user_attributes WHERE user_id = ? AND attribute_id = ?")
        selectValues = try connection.prepare("SELECT attribute_id, value FROM user_attributes WHERE user_id = ?")
        insertMembership = try connection.prepare(
            "INSERT INTO group_memberships (group_id, user_id, added_at) VALUES (?, ?, ?)")
        insertMembershipIfMissing = try connection.prepare(
            "INSERT INTO group_memberships (group_id, user_id, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
        deleteMembership = try connection.prepare("DELETE FROM group_memberships WHERE group_id = ? AND user_id = ?")
        selectMemberships = try connection.prepare("SELECT group_id FROM group_memberships WHERE user_id = ?")
    }

    /// What the import needs to know of an existing user.
    public struct ExistingUser {
        public let id: Int64
        public let displayName: String?
        public let status: UserStatus
    }

    /// Inserts an active user with their judged SMS number unless the email exists (ignoring
    /// case); returns the new id, or nil.
    public func insertUserIfNew(
        email: String, displayName: String?, smsNumber: StoredSMSNumber, at milliseconds: Int64
    ) throws -> Int64? {
        try insertUser.bind(text: email, at: 1)
        if let displayName { try insertUser.bind(text: displayName, at: 2) } else { try insertUser.bindNull(at: 2) }
        try insertUser.bind(int64: milliseconds, at: 3)
        try insertUser.bind(int64: milliseconds, at: 4)
        try insertUser.bind(smsNumber.status, at: 5)
        try insertUser.bind(smsNumber.number, at: 6)
        try insertUser.bind(smsNumber.note, at: 7)
        try insertUser.run()
        return connection.changes == 1 ? connection.lastInsertedRowID : nil
    }

    /// The user with this email (ignoring case), if any.
    public func user(email: String) throws -> ExistingUser? {
        try findUser.bind(text: email, at: 1)
        return try findUser.first { row in
            ExistingUser(
                id: row.int64(at: 0), displayName: row.isNull(at: 1) ? nil : row.string(at: 1),
                status: try row.get(2))
        }
    }

    /// Sets a user's name and status and marks it updated.
    public func updateUser(id: Int64, displayName: String?, status: UserStatus, at milliseconds: Int64) throws {
        if let displayName { try updateUser.bind(text: displayName, at: 1) } else { try updateUser.bindNull(at: 1) }
        try updateUser.bind(text: status.rawValue, at: 2)
        try updateUser.bind(int64: milliseconds, at: 3)
        try updateUser.bind(int64: id, at: 4)
        try updateUser.run()
    }

    /// Sets an attribute value; `isNewUser` when the user was created by this import (a plain INSERT).
    public func setValue(userID: Int64, attributeID: Int64, value: String, isNewUser: Bool, at milliseconds: Int64) throws {
        let statement = isNewUser ? insertValue : upsertValue
        try statement.bind(int64: userID, at: 1)
        try statement.bind(int64: attributeID, at: 2)
        try statement.bind(text: value, at: 3)
        try statement.bind(int64: milliseconds, at: 4)
        try statement.run()
    }

    /// Removes an attribute value.
    public func clearValue(userID: Int64, attributeID: Int64) throws {
        try deleteValue.bind(int64: userID, at: 1)
        try deleteValue.bind(int64: attributeID, at: 2)
        try deleteValue.run()
    }

    /// A user's attribute values, as (attribute id, value) pairs.
    public func values(userID: Int64) throws -> [(attributeID: Int64, value: String)] {
        try selectValues.bind(int64: userID, at: 1)
        return try selectValues.map { ($0.int64(at: 0), $0.string(at: 1)) }
    }

    /// Adds a membership (nothing when it exists); `isNewUser` when this import created the user.
    public func addMembership(groupID: Int64, userID: Int64, isNewUser: Bool, at milliseconds: Int64) throws {
        let statement = isNewUser ? insertMembership : insertMembershipIfMissing
        try statement.bind(int64: groupID, at: 1)
        try statement.bind(int64: userID, at: 2)
        try statement.bind(int64: milliseconds, at: 3)
        try statement.run()
    }

    /// Removes a membership.
    public func removeMembership(groupID: Int64, userID: Int64) throws {
        try deleteMembership.bind(int64: groupID, at: 1)
        try deleteMembership.bind(int64: userID, at: 2)
        try deleteMembership.run()
    }

    /// The ids of a user's groups.
    public func groupIDs(userID: Int64) throws -> [Int64] {
        try selectMemberships.bind(int64: userID, at: 1)
        return try selectMemberships.map { $0.int64(at: 0) }
    }

    /// The largest user id so far (0 when there are no users); ids only grow.
    public func largestUserID() throws -> Int64 {
        try connection.queryFirst("SELECT coalesce(max(id), 0) FROM users") { $0.int64(at: 0) } ?? 0
    }
}
