import FoundationEssentials
import LifelineVocabulary

/// An authentication profile as stored.
public struct ProfileRecord: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let resetOptions: ResetOptions
    public let twoStep: TwoStep
}

/// A group's profile assignment.
public struct ProfileAssignment: Sendable, Equatable {
    public let groupName: String
    public let profileName: String
    public let priority: Int
}

/// The auth_profiles and profile_assignments tables.
public struct ProfileStore {
    public let connection: any SQLConnection

    public init(connection: any SQLConnection) {
        self.connection = connection
    }

    private static func profile(from row: any SQLRow) throws -> ProfileRecord {
        ProfileRecord(id: row.int64(at: 0), name: row.string(at: 1), resetOptions: try row.get(2), twoStep: try row.get(3))
    }

    public func profiles() throws -> [ProfileRecord] {
        try connection.query("SELECT id, name, reset_options, two_step FROM auth_profiles ORDER BY \(connection.dialect.caseless("name"))", map: Self.profile)
    }

    public func profile(named name: String) throws -> ProfileRecord? {
        try connection.queryFirst(
            "SELECT id, name, reset_options, two_step FROM auth_profiles WHERE \(connection.dialect.caselessEquals("name"))", name, map: Self.profile)
    }

    public func create(name: String, resetOptions: ResetOptions, twoStep: TwoStep, at date: Date) throws {
        try connection.execute(
            "INSERT INTO auth_profiles (name, reset_options, two_step, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            name, resetOptions, twoStep, date, date)
    }

    public func update(id: Int64, resetOptions: ResetOptions, twoStep: TwoStep, at date: Date) throws {
        try connection.execute(
            "UPDATE auth_profiles SET reset_options = ?, two_step = ?, updated_at = ? WHERE id = ?",
            resetOptions, twoStep, date, id)
    }

    /// Assigns a profile to a group (replacing the group's earlier one).
    public func assign(profileID: Int64, groupID: Int64, priority: Int, at date: Date) throws {
        try connection.execute(
            """
            INSERT INTO profile_assignments (group_id, profile_id, priority, assigned_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (group_id) DO UPDATE SET profile_id = excluded.profile_id, priority = excluded.priority,
                                                 assigned_at = excluded.assigned_at
            """, groupID, profileID, Int64(priority), date)
    }

    /// The group that holds `priority`, if any.
    public func groupName(holdingPriority priority: Int) throws -> String? {
        try connection.queryFirst(
            "SELECT g.name FROM profile_assignments a JOIN groups g ON g.id = a.group_id WHERE a.priority = ?",
            Int64(priority)) { $0.string(at: 0) }
    }

    public func assignments(profileID: Int64? = nil) throws -> [ProfileAssignment] {
        try connection.query(
            """
            SELECT g.name, p.name, a.priority FROM profile_assignments a
            JOIN groups g ON g.id = a.group_id JOIN auth_profiles p ON p.id = a.profile_id
            WHERE CAST(?1 AS BIGINT) IS NULL OR a.profile_id = ?1 ORDER BY a.priority DESC
            """, profileID
        ) { ProfileAssignment(groupName: $0.string(at: 0), profileName: $0.string(at: 1), priority: Int($0.int64(at: 2))) }
    }

    /// The profile of the user's highest-priority group with one, else `default`.
    public func effectiveProfile(userID: Int64) throws -> ProfileRecord? {
        try connection.queryFirst(
            """
            SELECT p.id, p.name, p.reset_options, p.two_step FROM group_memberships m
            JOIN profile_assignments a ON a.group_id = m.group_id JOIN auth_profiles p ON p.id = a.profile_id
            WHERE m.user_id = ? ORDER BY a.priority DESC LIMIT 1
            """, userID, map: Self.profile) ?? profile(named: "default")
    }
}
