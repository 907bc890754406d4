import FoundationEssentials

/// Attribute values and memberships written one by one with statements prepared once, for
/// work that changes many users in one transaction (fixing numbers, seeding a benchmark).
/// An import stages instead (``DirectoryStaging``).
///
/// Use it inside the caller's `connection.write { }` transaction.
public final class DirectoryWriter {
    /// The tables a bulk load fills, whose secondary indexes a first import builds once at the end.
    public static let tables = ["users", "user_attributes", "group_memberships"]

    private let upsertValue: any SQLStatement
    private let insertMembershipIfMissing: any SQLStatement

    public init(connection: any SQLConnection) throws {
        upsertValue = try connection.prepare(
            """
            INSERT INTO user_attributes (user_id, attribute_id, value, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (user_id, attribute_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """)
        insertMembershipIfMissing = try connection.prepare(
            "INSERT INTO group_memberships (group_id, user_id, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
    }

    /// Sets an attribute value.
    public func setValue(userID: Int64, attributeID: Int64, value: String, at milliseconds: Int64) throws {
        try upsertValue.bind(int64: userID, at: 1)
        try upsertValue.bind(int64: attributeID, at: 2)
        try upsertValue.bind(text: value, at: 3)
        try upsertValue.bind(int64: milliseconds, at: 4)
        try upsertValue.run()
    }

    /// Adds a membership (nothing when it exists).
    public func addMembership(groupID: Int64, userID: Int64, at milliseconds: Int64) throws {
        try insertMembershipIfMissing.bind(int64: groupID, at: 1)
        try insertMembershipIfMissing.bind(int64: userID, at: 2)
        try insertMembershipIfMissing.bind(int64: milliseconds, at: 3)
        try insertMembershipIfMissing.run()
    }
}
