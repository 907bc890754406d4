import FoundationEssentials
import LifelineVocabulary

/// The SQL for users, attribute definitions and values, groups and memberships.
///
/// It holds data and answers queries; it decides nothing (the service validates and decides).
/// Writes must run inside the caller's `connection.write { }` transaction.
public struct DirectoryStore {
    public let connection: any SQLConnection

    public init(connection: any SQLConnection) {
        self.connection = connection
    }

    // MARK: Users

    private static let userColumns = "id, email, display_name, status, created_at, updated_at"

    private static func user(from row: any SQLRow) throws -> UserRecord {
        UserRecord(
            id: row.int64(at: 0), email: row.string(at: 1), displayName: try row.get(2),
            status: try row.get(3),
            createdAt: try row.get(4), updatedAt: try row.get(5))
    }

    /// The user with this primary email, compared case-insensitively.
    public func user(email: String) throws -> UserRecord? {
        try connection.queryFirst("SELECT \(Self.userColumns) FROM users WHERE \(connection.dialect.caselessEquals("email"))", email, map: Self.user)
    }

    public func user(id: Int64) throws -> UserRecord? {
        try connection.queryFirst("SELECT \(Self.userColumns) FROM users WHERE id = ?", id, map: Self.user)
    }

    /// Streams users in email order, optionally only one group's members or one status.
    public func forEachUser(
        groupID: Int64?, status: UserStatus?, _ body: (UserRecord) throws -> Void
    ) throws {
        let sql = """
            SELECT \(Self.userColumns) FROM users
            WHERE (CAST(?1 AS TEXT) IS NULL OR status = ?1)
              AND (CAST(?2 AS BIGINT) IS NULL OR id IN (SELECT user_id FROM group_memberships WHERE group_id = ?2))
            ORDER BY \(connection.dialect.caseless("email"))
            """
        try connection.forEachRow(sql, status?.rawValue, groupID) { try body(try Self.user(from: $0)) }
    }

    // MARK: Attributes

    private static let attributeQuery = """
        SELECT d.id, d.name, d.description, d.source, d.created_at,
               (SELECT count(*) FROM user_attributes v WHERE v.attribute_id = d.id)
        FROM attribute_definitions d
        """

    private static func attribute(from row: any SQLRow) throws -> AttributeDefinition {
        AttributeDefinition(
            id: row.int64(at: 0), name: row.string(at: 1), description: row.string(at: 2),
            source: try row.get(3), createdAt: try row.get(4),
            valueCount: Int(row.int64(at: 5)))
    }

    /// Every attribute definition, by name.
    public func attributes() throws -> [AttributeDefinition] {
        try connection.query(Self.attributeQuery + " ORDER BY \(connection.dialect.caseless("d.name"))", map: Self.attribute)
    }

    /// The attribute with this name, compared case-insensitively.
    public func attribute(named name: String) throws -> AttributeDefinition? {
        try connection.queryFirst(Self.attributeQuery + " WHERE \(connection.dialect.caselessEquals("d.name"))", name, map: Self.attribute)
    }

    /// The id and stored name of the attribute with this name (ignoring case), without counting
    /// its values: for lookups on every message, where a count over a million users would dominate.
    public func attributeIdentity(named name: String) throws -> (id: Int64, name: String)? {
        try connection.queryFirst("SELECT id, name FROM attribute_definitions WHERE \(connection.dialect.caselessEquals("name"))", name) {
            ($0.int64(at: 0), $0.string(at: 1))
        }
    }

    /// Defines an attribute; returns its id.
    public func defineAttribute(name: String, source: AttributeSource, at date: Date) throws -> Int64 {
        try connection.insert(
            "INSERT INTO attribute_definitions (name, source, created_at) VALUES (?, ?, ?)", name, source.rawValue, date)
    }

    /// A user's attribute values with the attributes' names, by name.
    public func namedAttributeValues(userID: Int64) throws -> [(name: String, value: String)] {
        try connection.query(
            """
            SELECT d.name, v.value FROM user_attributes v JOIN attribute_definitions d ON d.id = v.attribute_id
            WHERE v.user_id = ? ORDER BY \(connection.dialect.caseless("d.name"))
            """, userID
        ) { ($0.string(at: 0), $0.string(at: 1)) }
    }

    // MARK: Groups

    /// Every group with its member count, by name.
    public func groups() throws -> [GroupSummary] {
        try connection.query(
            """
            SELECT g.id, g.name, (SELECT count(*) FROM group_memberships m WHERE m.group_id = g.id)
            FROM groups g ORDER BY \(connection.dialect.caseless("g.name"))
            """
        ) { GroupSummary(id: $0.int64(at: 0), name: $0.string(at: 1), memberCount: Int($0.int64(at: 2))) }
    }

    /// The id of the group with this name, compared case-insensitively.
    public func groupID(named name: String) throws -> Int64? {
        try connection.queryFirst("SELECT id FROM groups WHERE \(connection.dialect.caselessEquals("name"))", name) { $0.int64(at: 0) }
    }

    /// Creates a group; returns its id.
    public func createGroup(name: String, at date: Date) throws -> Int64 {
        try connection.insert("INSERT INTO groups (name, created_at) VALUES (?, ?)", name, date)
    }

    /// The names of a user's groups, by name.
    public func groupNames(userID: Int64) throws -> [String] {
        try connection.query(
            "SELECT g.name FROM group_memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ? ORDER BY \(connection.dialect.caseless("g.name"))",
            userID
        ) { $0.string(at: 0) }
    }

}

extension DirectoryStore {
    /// Streams every active user with their value of one attribute (nil when they have none), by id.
    public func forEachActiveUser(
        withAttribute attributeID: Int64, _ body: (_ userID: Int64, _ email: String, _ value: String?) throws -> Void
    ) throws {
        try connection.forEachRow(
            """
            SELECT u.id, u.email, v.value FROM users u
            LEFT JOIN user_attributes v ON v.user_id = u.id AND v.attribute_id = ?
            WHERE u.status = 'active' ORDER BY u.id
            """, attributeID
        ) { row in
            try body(row.int64(at: 0), row.string(at: 1), row.isNull(at: 2) ? nil : row.string(at: 2))
        }
    }

    /// A user's value of one attribute.
    public func attributeValue(userID: Int64, attributeID: Int64) throws -> String? {
        try connection.queryFirst(
            "SELECT value FROM user_attributes WHERE user_id = ? AND attribute_id = ?", userID, attributeID
        ) { $0.string(at: 0) }
    }
}
