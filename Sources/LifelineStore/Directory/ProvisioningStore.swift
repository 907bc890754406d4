import FoundationEssentials
import LifelineVocabulary

/// A user as an identity provider sees them: the directory's row, how the provider knows them,
/// their attribute values and groups.
public struct ProvisionedUserRecord: Sendable, Equatable {
    public let id: Int64
    public let email: String
    public let displayName: String?
    public let status: UserStatus
    public let createdAt: Date
    /// The later of the user's and their provider identity's last change.
    public let lastModified: Date
    /// The provider's name for them: their `userName`, or their email when no provider has named them.
    public let userName: String
    public let externalID: String?
    /// Whether a provider has named them (a row in `scim_users`), rather than a file import alone.
    public let isNamed: Bool
    /// The primary flag the provider gave their email; nil when it never said.
    public var emailMarkedPrimary: Bool? = nil
    public var attributes: [NamedValue] = []
    public var groups: [GroupReference] = []
}

/// An attribute's value, by the attribute's name.
public struct NamedValue: Sendable, Equatable {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A group or a member, as an id and the name to show.
public struct GroupReference: Sendable, Equatable {
    public let id: Int64
    public let display: String
}

/// A group as an identity provider sees it.
public struct ProvisionedGroupRecord: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let externalID: String?
    public let createdAt: Date
    public let lastModified: Date
    public var members: [GroupReference] = []
}

/// What a provider's filter may ask about, as the store can answer it.
public enum ProvisionedField: Sendable, Equatable {
    /// Users: the provider's name for them (their email when unnamed), ignoring case.
    case userName
    /// Users: the primary email, ignoring case.
    case email
    /// Users and groups: the display name, ignoring case.
    case displayName
    /// Users and groups: the provider's own id, exactly.
    case externalID
    /// Users: whether active (compared with `true` or `false`).
    case active
    /// Users and groups: Lifeline's id.
    case id
}

/// How a filter compares a field with a value.
public enum ProvisionedComparison: Sendable, Equatable {
    case equal, notEqual, contains, startsWith, endsWith, greater, greaterOrEqual, less, lessOrEqual
}

/// A filter over users or groups, built by the service from a provider's `filter` and turned
/// into SQL here with every value bound.
public indirect enum ProvisionedPredicate: Sendable, Equatable {
    case compare(ProvisionedField, ProvisionedComparison, String)
    case present(ProvisionedField)
    case and(ProvisionedPredicate, ProvisionedPredicate)
    case or(ProvisionedPredicate, ProvisionedPredicate)
    case not(ProvisionedPredicate)
}

/// The SQL for what identity providers push: how they name users and groups (`scim_users`,
/// `scim_groups`), the filtered, paged listings they ask for, and the record of every change a
/// directory source made (`directory_changes`).
///
/// It holds data and answers queries; the service decides (``SCIMProvisioning`` in
/// LifelineService). Writes must run inside the caller's `connection.write { }` transaction.
public struct ProvisioningStore {
    public let connection: any SQLConnection

    public init(connection: any SQLConnection) {
        self.connection = connection
    }

    private var dialect: SQLDialect { connection.dialect }

    // MARK: Users

    /// Users a provider can see: every user but those a provider deleted.
    private static let visibleUsers = """
        FROM users u LEFT JOIN scim_users s ON s.user_id = u.id
        WHERE s.deleted_at IS NULL
        """

    private static let userColumns = """
        u.id, u.email, u.display_name, u.status, u.created_at, u.updated_at,
        s.user_name, s.external_id, s.updated_at, s.email_primary
        """

    private func user(from row: any SQLRow) throws -> ProvisionedUserRecord {
        let updated: Date = try row.get(5)
        let named: Date? = try row.get(8)
        let email = row.string(at: 1)
        let userName: String? = try row.get(6)
        return ProvisionedUserRecord(
            id: row.int64(at: 0), email: email, displayName: try row.get(2), status: try row.get(3),
            createdAt: try row.get(4), lastModified: max(updated, named ?? updated),
            userName: userName ?? email, externalID: try row.get(7), isNamed: userName != nil,
            emailMarkedPrimary: (try row.get(9) as Int64?).map { $0 == 1 })
    }

    /// A visible user with their attribute values and groups; nil when there is none.
    public func user(id: Int64) throws -> ProvisionedUserRecord? {
        guard var record = try connection.queryFirst(
            "SELECT \(Self.userColumns) \(Self.visibleUsers) AND u.id = ?", id, map: user)
        else { return nil }
        record.attributes = try DirectoryStore(connection: connection).namedAttributeValues(userID: id).map {
            NamedValue(name: $0.name, value: $0.value)
        }
        record.groups = try connection.query(
            """
            SELECT g.id, g.name FROM group_memberships m JOIN groups g ON g.id = m.group_id
            LEFT JOIN scim_groups sg ON sg.group_id = g.id
            WHERE m.user_id = ? AND sg.deleted_at IS NULL ORDER BY g.id
            """, id
        ) { GroupReference(id: $0.int64(at: 0), display: $0.string(at: 1)) }
        return record
    }

    /// The ids of the visible users `predicate` selects (all when nil), by id, from the
    /// `offset`th, at most `limit`; and how many it selects in all.
    public func userIDs(matching predicate: ProvisionedPredicate?, offset: Int, limit: Int) throws -> (total: Int, ids: [Int64]) {
        var arguments: [any SQLBindable] = []
        let condition = predicate.map { " AND " + userCondition($0, &arguments) } ?? ""
        let total = try connection.queryFirst(
            "SELECT count(*) \(Self.visibleUsers)\(condition)", arguments: arguments) { Int($0.int64(at: 0)) } ?? 0
        guard limit > 0 else { return (total, []) }
        let ids = try query(
            "SELECT u.id \(Self.visibleUsers)\(condition) ORDER BY u.id LIMIT \(limit) OFFSET \(max(0, offset))", arguments)
        return (total, ids)
    }

    /// The visible user a provider names `userName` (ignoring case): by a live `scim_users`
    /// row, or by the email of a user no provider has named.
    public func userID(userName: String) throws -> Int64? {
        try connection.queryFirst(
            "SELECT u.id \(Self.visibleUsers) AND \(userNameEquals("?1"))", arguments: [userName]) { $0.int64(at: 0) }
    }

    /// The user whose primary email is `email` (ignoring case), with whether a provider deleted them.
    public func userByEmail(_ email: String) throws -> (id: Int64, isDeleted: Bool)? {
        try connection.queryFirst(
            """
            SELECT u.id, s.deleted_at FROM users u LEFT JOIN scim_users s ON s.user_id = u.id
            WHERE \(dialect.caselessEquals("u.email"))
            """, email
        ) { ($0.int64(at: 0), !$0.isNull(at: 1)) }
    }

    /// Names a user as the provider knows them, bringing back one a provider deleted.
    public func name(userID: Int64, userName: String, externalID: String?, emailMarkedPrimary: Bool?, at date: Date) throws {
        try connection.execute(
            """
            INSERT INTO scim_users (user_id, user_name, external_id, email_primary, deleted_at, updated_at)
            VALUES (?1, ?2, ?3, ?4, NULL, ?5)
            ON CONFLICT (user_id) DO UPDATE SET user_name = ?2, external_id = ?3, email_primary = ?4, deleted_at = NULL, updated_at = ?5
            """, userID, userName, externalID, emailMarkedPrimary.map { Int64($0 ? 1 : 0) }, date)
    }

    /// Marks a user deleted by a provider: hidden from it from now on.
    public func markDeleted(userID: Int64, userName: String, at date: Date) throws {
        try connection.execute(
            """
            INSERT INTO scim_users (user_id, user_name, deleted_at, updated_at) VALUES (?1, ?2, ?3, ?3)
            ON CONFLICT (user_id) DO UPDATE SET deleted_at = ?3, updated_at = ?3
            """, userID, userName, date)
    }

    // MARK: Users' rows (the directory's, written as a provider asks)

    /// Creates a user; returns the id.
    public func createUser(email: String, displayName: String?, status: UserStatus, at date: Date) throws -> Int64 {
        try connection.insert(
            "INSERT INTO users (email, display_name, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            email, displayName, status.rawValue, date, date)
    }

    /// Changes a user's email, name and status.
    public func changeUser(id: Int64, email: String, displayName: String?, status: UserStatus, at date: Date) throws {
        try connection.execute(
            "UPDATE users SET email = ?, display_name = ?, status = ?, updated_at = ? WHERE id = ?",
            email, displayName, status.rawValue, date, id)
    }

    /// Clears one attribute value.
    public func removeValue(userID: Int64, attributeID: Int64) throws {
        try connection.execute("DELETE FROM user_attributes WHERE user_id = ? AND attribute_id = ?", userID, attributeID)
    }

    /// Removes one membership.
    public func removeMembership(groupID: Int64, userID: Int64) throws {
        try connection.execute("DELETE FROM group_memberships WHERE group_id = ? AND user_id = ?", groupID, userID)
    }

    /// Removes every membership of a user; returns how many there were.
    public func removeMemberships(userID: Int64) throws -> Int {
        try connection.execute("DELETE FROM group_memberships WHERE user_id = ?", userID)
        return connection.changes
    }

    /// The ids of a user's groups.
    public func groupIDs(userID: Int64) throws -> [Int64] {
        try query("SELECT group_id FROM group_memberships WHERE user_id = ? ORDER BY group_id", [userID])
    }

    /// Which of `ids` are users a provider can see.
    public func visibleUserIDs(among ids: [Int64]) throws -> Set<Int64> {
        var found: Set<Int64> = []
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(ids.count, start + 500)])
            let placeholders = chunk.map { _ in "?" }.joined(separator: ", ")
            try connection.forEachRow("SELECT u.id \(Self.visibleUsers) AND u.id IN (\(placeholders))", arguments: chunk) {
                found.insert($0.int64(at: 0))
            }
            start += chunk.count
        }
        return found
    }

    // MARK: Groups

    private static let visibleGroups = """
        FROM groups g LEFT JOIN scim_groups sg ON sg.group_id = g.id
        WHERE sg.deleted_at IS NULL
        """

    /// A visible group with its visible members; nil when there is none.
    public func group(id: Int64, withMembers: Bool = true) throws -> ProvisionedGroupRecord? {
        guard var record = try connection.queryFirst(
            "SELECT g.id, g.name, sg.external_id, g.created_at, sg.updated_at \(Self.visibleGroups) AND g.id = ?", id,
            map: { row -> ProvisionedGroupRecord in
                let created: Date = try row.get(3)
                let updated: Date? = try row.get(4)
                return ProvisionedGroupRecord(
                    id: row.int64(at: 0), name: row.string(at: 1), externalID: try row.get(2), createdAt: created,
                    lastModified: max(created, updated ?? created))
            })
        else { return nil }
        if withMembers { record.members = try members(groupID: id) }
        return record
    }

    /// A group's members that a provider can see, by id.
    public func members(groupID: Int64) throws -> [GroupReference] {
        try connection.query(
            """
            SELECT u.id, COALESCE(s.user_name, u.email) FROM group_memberships m JOIN users u ON u.id = m.user_id
            LEFT JOIN scim_users s ON s.user_id = u.id
            WHERE m.group_id = ? AND s.deleted_at IS NULL ORDER BY u.id
            """, groupID
        ) { GroupReference(id: $0.int64(at: 0), display: $0.string(at: 1)) }
    }

    /// The ids of the visible groups `predicate` selects, paged as ``userIDs(matching:offset:limit:)``.
    public func groupIDs(matching predicate: ProvisionedPredicate?, offset: Int, limit: Int) throws -> (total: Int, ids: [Int64]) {
        var arguments: [any SQLBindable] = []
        let condition = predicate.map { " AND " + groupCondition($0, &arguments) } ?? ""
        let total = try connection.queryFirst(
            "SELECT count(*) \(Self.visibleGroups)\(condition)", arguments: arguments) { Int($0.int64(at: 0)) } ?? 0
        guard limit > 0 else { return (total, []) }
        let ids = try query(
            "SELECT g.id \(Self.visibleGroups)\(condition) ORDER BY g.id LIMIT \(limit) OFFSET \(max(0, offset))", arguments)
        return (total, ids)
    }

    /// The group named `name` (ignoring case), with whether a provider deleted it.
    /// The group of that name (ignoring case): whether a provider deleted it, and whether a
    /// provider has known it at all (else it came from an import).
    public func groupByName(_ name: String) throws -> (id: Int64, isDeleted: Bool, isNamed: Bool)? {
        try connection.queryFirst(
            """
            SELECT g.id, sg.deleted_at, sg.group_id FROM groups g LEFT JOIN scim_groups sg ON sg.group_id = g.id
            WHERE \(dialect.caselessEquals("g.name"))
            """, name
        ) { ($0.int64(at: 0), !$0.isNull(at: 1), !$0.isNull(at: 2)) }
    }

    /// Records a provider's view of a group (its externalId, the time it changed it), bringing
    /// back one a provider deleted.
    public func touchGroup(id: Int64, externalID: String?, at date: Date) throws {
        try connection.execute(
            """
            INSERT INTO scim_groups (group_id, external_id, deleted_at, updated_at) VALUES (?1, ?2, NULL, ?3)
            ON CONFLICT (group_id) DO UPDATE SET external_id = ?2, deleted_at = NULL, updated_at = ?3
            """, id, externalID, date)
    }

    /// Renames a group.
    public func renameGroup(id: Int64, to name: String) throws {
        try connection.execute("UPDATE groups SET name = ? WHERE id = ?", name, id)
    }

    /// Empties a group and hides it from providers; the group stays for the events that name it.
    public func markGroupDeleted(id: Int64, at date: Date) throws {
        try connection.execute("DELETE FROM group_memberships WHERE group_id = ?", id)
        try connection.execute(
            """
            INSERT INTO scim_groups (group_id, deleted_at, updated_at) VALUES (?1, ?2, ?2)
            ON CONFLICT (group_id) DO UPDATE SET deleted_at = ?2, updated_at = ?2
            """, id, date)
    }

    // MARK: The record of changes

    /// Records one change a directory source made.
    public func recordChange(
        source: DirectorySource, actor: String, userID: Int64?, groupName: String?, summary: String, at date: Date
    ) throws {
        try connection.execute(
            "INSERT INTO directory_changes (changed_at, source, actor, user_id, group_name, summary) VALUES (?, ?, ?, ?, ?, ?)",
            date, source.rawValue, actor, userID, groupName, summary)
    }

    /// The latest changes, newest first, optionally one user's.
    public func changes(userID: Int64? = nil, limit: Int) throws -> [DirectoryChangeRecord] {
        try connection.query(
            """
            SELECT changed_at, source, actor, user_id, group_name, summary FROM directory_changes
            WHERE CAST(?1 AS BIGINT) IS NULL OR user_id = ?1 ORDER BY id DESC LIMIT \(max(0, limit))
            """, userID
        ) { row in
            DirectoryChangeRecord(
                changedAt: try row.get(0), source: try row.get(1), actor: row.string(at: 2), userID: try row.get(3),
                groupName: try row.get(4), summary: row.string(at: 5))
        }
    }

    // MARK: Filters as SQL

    private func query(_ sql: String, _ arguments: [any SQLBindable]) throws -> [Int64] {
        var ids: [Int64] = []
        try connection.forEachRow(sql, arguments: arguments) { ids.append($0.int64(at: 0)) }
        return ids
    }

    /// `userName` equal to the value bound at `placeholder`, answered from the two unique
    /// indexes (a provider looks a user up this way before every create).
    private func userNameEquals(_ placeholder: String) -> String {
        """
        u.id IN (SELECT user_id FROM scim_users WHERE deleted_at IS NULL AND \(dialect.caselessEquals("user_name", placeholder))
                 UNION ALL
                 SELECT id FROM users WHERE \(dialect.caselessEquals("email", placeholder))
                   AND id NOT IN (SELECT user_id FROM scim_users))
        """
    }

    /// How a field reads in SQL.
    private enum FieldSQL {
        /// A text column, compared ignoring case or exactly.
        case text(String, caseless: Bool)
        /// Users' `userName`: their name from a provider, else their email.
        case userName
        /// Users' status, compared with `true` (active) or `false`.
        case active
        /// A table's integer id.
        case id(String)
    }

    private func userCondition(_ predicate: ProvisionedPredicate, _ arguments: inout [any SQLBindable]) -> String {
        condition(predicate, &arguments) { field in
            switch field {
            case .userName: .userName
            case .email: .text("u.email", caseless: true)
            case .displayName: .text("u.display_name", caseless: true)
            case .externalID: .text("s.external_id", caseless: false)
            case .active: .active
            case .id: .id("u.id")
            }
        }
    }

    private func groupCondition(_ predicate: ProvisionedPredicate, _ arguments: inout [any SQLBindable]) -> String {
        condition(predicate, &arguments) { field in
            switch field {
            case .displayName: .text("g.name", caseless: true)
            case .externalID: .text("sg.external_id", caseless: false)
            case .id: .id("g.id")
            case .userName, .email, .active: nil
            }
        }
    }

    /// The condition, every value bound as a numbered placeholder (`?N`); a field the
    /// resource does not have matches nothing.
    private func condition(
        _ predicate: ProvisionedPredicate, _ arguments: inout [any SQLBindable], fields: (ProvisionedField) -> FieldSQL?
    ) -> String {
        func bind(_ value: any SQLBindable) -> String {
            arguments.append(value)
            return "?\(arguments.count)"
        }
        switch predicate {
        case .and(let left, let right):
            return "(" + condition(left, &arguments, fields: fields) + " AND " + condition(right, &arguments, fields: fields) + ")"
        case .or(let left, let right):
            return "(" + condition(left, &arguments, fields: fields) + " OR " + condition(right, &arguments, fields: fields) + ")"
        case .not(let inner):
            return "NOT COALESCE(" + condition(inner, &arguments, fields: fields) + ", FALSE)"
        case .present(let field):
            switch fields(field) {
            case nil: return "FALSE"
            case .active, .id, .userName: return "TRUE"
            case .text(let column, _): return "(\(column) IS NOT NULL AND \(column) <> '')"
            }
        case .compare(let field, let comparison, let value):
            switch fields(field) {
            case nil:
                return "FALSE"
            case .active:
                let placeholder = bind(value == "true" ? UserStatus.active.rawValue : UserStatus.disabled.rawValue)
                return comparison == .notEqual ? "u.status <> \(placeholder)" : "u.status = \(placeholder)"
            case .id(let column):
                guard let id = Int64(value), comparison == .equal || comparison == .notEqual else {
                    return comparison == .notEqual ? "TRUE" : "FALSE"
                }
                return "\(column) \(comparison == .equal ? "=" : "<>") \(bind(id))"
            case .userName where comparison == .equal || comparison == .notEqual:
                let equals = userNameEquals(bind(value))
                return comparison == .equal ? equals : "NOT (\(equals))"
            case .userName:
                return textComparison(dialect.foldedCase("COALESCE(s.user_name, u.email)"), comparison, bind(ASCIICaseFold.folded(value)))
            case .text(let column, let caseless):
                let expression = caseless ? dialect.foldedCase(column) : column
                return textComparison(expression, comparison, bind(caseless ? ASCIICaseFold.folded(value) : value))
            }
        }
    }

    private func textComparison(_ expression: String, _ comparison: ProvisionedComparison, _ placeholder: String) -> String {
        let contains = dialect == .sqlite ? "instr(\(expression), \(placeholder)) > 0" : "strpos(\(expression), \(placeholder)) > 0"
        return switch comparison {
        case .equal: "\(expression) = \(placeholder)"
        case .notEqual: "(\(expression) IS NULL OR \(expression) <> \(placeholder))"
        case .contains: "COALESCE(\(contains), FALSE)"
        case .startsWith: "COALESCE(substr(\(expression), 1, length(\(placeholder))) = \(placeholder), FALSE)"
        case .endsWith:
            "COALESCE(substr(\(expression), length(\(expression)) - length(\(placeholder)) + 1) = \(placeholder), FALSE)"
        case .greater: "\(expression) > \(placeholder)"
        case .greaterOrEqual: "\(expression) >= \(placeholder)"
        case .less: "\(expression) < \(placeholder)"
        case .lessOrEqual: "\(expression) <= \(placeholder)"
        }
    }
}

/// One change a directory source made.
public struct DirectoryChangeRecord: Sendable, Equatable {
    public let changedAt: Date
    public let source: DirectorySource
    public let actor: String
    public let userID: Int64?
    public let groupName: String?
    public let summary: String
}
