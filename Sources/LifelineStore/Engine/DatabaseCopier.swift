import Crypto
import FoundationEssentials

/// Copies Lifeline's data from one database to another, on either engine (SQLite to
/// PostgreSQL, or back), row for row: every id, timestamp and actor as it was, so the consent
/// ledger's history and the outbox's idempotency keys survive the move.
///
/// The caller runs ``copyAll(progress:)`` inside one read transaction on the source and one
/// write transaction on the target, so the copy is of one moment and lands whole or not at all.
public struct DatabaseCopier {
    /// Every table that holds Lifeline's data, each after the tables it references: the order
    /// rows are inserted in. A test checks it against both engines' schemas.
    public static let tables = [
        "users", "attribute_definitions", "user_attributes", "groups", "group_memberships", "settings",
        "consent_ledger", "inbound_messages", "continuity_events", "verification_requests", "auth_profiles",
        "profile_assignments", "user_credentials", "api_keys", "console_roles", "web_sessions", "captcha_answers",
        "outbox", "scim_users", "scim_groups", "directory_changes", "directory_syncs", "event_templates",
        "event_template_answers", "event_template_labels", "event_triggers", "event_audit",
        "event_questions", "event_answers", "event_replies", "event_reply_current", "event_reminders", "event_notices",
        "notice_links",
    ]
    /// Tables the database keeps itself from others (a trigger on the ledger): never copied,
    /// rebuilt on the target as the ledger's rows arrive, then compared.
    public static let derivedTables = ["consent_current"]
    /// What `migrate` itself puts in a new database: a target holding only these is empty.
    static let seededRows = ["settings", "auth_profiles"]

    public let source: any SQLConnection
    public let target: any SQLConnection

    public init(source: any SQLConnection, target: any SQLConnection) {
        self.source = source
        self.target = target
    }

    /// The target's tables that hold rows beyond what `migrate` puts in a new database, with
    /// their counts; empty when the target is as `migrate` left it.
    public func targetRowsBeyondMigration() throws -> [(table: String, rows: Int64)] {
        var found: [(String, Int64)] = []
        for table in Self.tables + Self.derivedTables {
            let rows = try Self.count(table, on: target)
            let seeded: Int64
            switch table {
            case "settings":
                seeded = try target.queryFirst("SELECT count(*) FROM settings WHERE key = ?", Self.ruleVersionKey) { $0.int64(at: 0) } ?? 0
            case "auth_profiles":
                seeded = try target.queryFirst("SELECT count(*) FROM auth_profiles WHERE name = 'default'") { $0.int64(at: 0) } ?? 0
            default:
                seeded = 0
            }
            if rows > seeded { found.append((table, rows)) }
        }
        return found
    }

    /// Where the number rule's version is kept: a setting `migrate` writes.
    static let ruleVersionKey = "sms.rule_version"

    /// Copies every table in order; `progress` hears each table's name and rows once copied.
    /// Returns the rows copied by table.
    public func copyAll(progress: (String, Int64) -> Void = { _, _ in }) throws -> [(table: String, rows: Int64)] {
        // What migrate seeded on the target gives way to the source's own rows.
        for table in Self.seededRows { try target.execute("DELETE FROM \(table)") }
        var copied: [(String, Int64)] = []
        for table in Self.tables {
            let columns = try matchingColumns(table)
            let rows = try copy(table, columns: columns)
            try carryIDSequence(table, columns: columns)
            progress(table, rows)
            copied.append((table, rows))
        }
        return copied
    }

    /// The columns of `table` on `connection`, in the table's order.
    public static func columns(_ table: String, on connection: any SQLConnection) throws -> [String] {
        switch connection.dialect {
        case .sqlite:
            try connection.query("SELECT name FROM pragma_table_info(?) ORDER BY cid", table) { $0.string(at: 0) }
        case .postgres:
            try connection.query(
                """
                SELECT column_name FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position
                """, table
            ) { $0.string(at: 0) }
        }
    }

    /// The source's and the target's columns of `table` differ: the two schemas are not the same version.
    public struct ColumnsDiffer: Error, Equatable {
        public let table: String
        public let onlySource: [String]
        public let onlyTarget: [String]
    }

    /// The target's columns of `table`, when the source has the same ones.
    private func matchingColumns(_ table: String) throws -> [String] {
        let columns = try Self.columns(table, on: target)
        let sourceColumns = try Self.columns(table, on: source)
        guard Set(columns) == Set(sourceColumns) else {
            throw ColumnsDiffer(
                table: table, onlySource: sourceColumns.filter { !columns.contains($0) },
                onlyTarget: columns.filter { !sourceColumns.contains($0) })
        }
        return columns
    }

    private func copy(_ table: String, columns: [String]) throws -> Int64 {
        let list = columns.joined(separator: ", ")
        // Loaded 10,000 rows at a time: PostgreSQL's COPY (which, unlike INSERT, takes the
        // ledger's GENERATED ALWAYS ids as given), SQLite's multi-row INSERTs.
        var pending: [[SQLValue]] = []
        var copied: Int64 = 0
        func flush() throws {
            try target.bulkInsert(into: table, columns: columns, rows: pending)
            copied += Int64(pending.count)
            pending.removeAll(keepingCapacity: true)
        }
        let order = columns.contains("id") ? " ORDER BY id" : ""
        try source.forEachRow("SELECT \(list) FROM \(table)\(order)", arguments: []) { row in
            pending.append((0..<Int32(columns.count)).map { row.value(at: $0) })
            if pending.count == 10_000 { try flush() }
        }
        try flush()
        return copied
    }

    /// Rows in `table` on `connection`.
    public static func count(_ table: String, on connection: any SQLConnection) throws -> Int64 {
        try connection.queryFirst("SELECT count(*) FROM \(table)") { $0.int64(at: 0) } ?? 0
    }

    /// The largest id `table` ever handed out on `connection`, deleted rows included (an
    /// outbox id is a message's idempotency key and must never come round again); 0 for a
    /// table without ids.
    public static func highestID(_ table: String, on connection: any SQLConnection) throws -> Int64 {
        guard try columns(table, on: connection).contains("id") else { return 0 }
        return try highestID(ofTableWithIDs: table, on: connection)
    }

    private static func highestID(ofTableWithIDs table: String, on connection: any SQLConnection) throws -> Int64 {
        let largest = try connection.queryFirst("SELECT coalesce(max(id), 0) FROM \(table)") { $0.int64(at: 0) } ?? 0
        let handedOut: Int64?
        switch connection.dialect {
        case .sqlite:
            handedOut = try connection.queryFirst("SELECT seq FROM sqlite_sequence WHERE name = ?", table) { $0.int64(at: 0) }
        case .postgres:
            handedOut = try connection.queryFirst(
                "SELECT pg_sequence_last_value(CAST(pg_get_serial_sequence(?, 'id') AS regclass))", table
            ) { try $0.get(0, as: Int64?.self) } ?? nil
        }
        return max(largest, handedOut ?? 0)
    }

    /// Carries the source's id high-water mark to the target, so the target's next id is past
    /// every id the source ever gave.
    private func carryIDSequence(_ table: String, columns: [String]) throws {
        guard columns.contains("id") else { return }
        let highest = try Self.highestID(ofTableWithIDs: table, on: source)
        guard highest > 0 else { return }
        switch target.dialect {
        case .sqlite:
            // Only AUTOINCREMENT tables promise never to reuse an id; only they have a row here.
            guard try target.queryFirst(
                "SELECT sql LIKE '%AUTOINCREMENT%' FROM sqlite_master WHERE type = 'table' AND name = ?", table
            ) { $0.int64(at: 0) } == 1 else { return }
            try target.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", highest, table)
            if target.changes == 0 { try target.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", table, highest) }
        case .postgres:
            try target.execute(
                """
                SELECT setval(CAST(pg_get_serial_sequence(?1, 'id') AS regclass), ?2)
                WHERE pg_get_serial_sequence(?1, 'id') IS NOT NULL
                """, table, highest)
        }
    }

    /// A SHA-256 digest of the consent ledger on `connection`: every row in id order, every
    /// column as stored. Two databases with the same digest hold the same history.
    public static func ledgerDigest(on connection: any SQLConnection) throws -> String {
        var hash = SHA256()
        let columns = ["id", "user_id", "number", "program", "state", "source", "actor", "evidence", "recorded_at"]
        try connection.forEachRow("SELECT \(columns.joined(separator: ", ")) FROM consent_ledger ORDER BY id", arguments: []) { row in
            for index in 0..<Int32(columns.count) { feed(row.value(at: index), into: &hash) }
        }
        return hash.finalize().map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    /// One value, tagged by kind and length-prefixed, so no two different rows hash alike.
    private static func feed(_ value: SQLValue, into hash: inout SHA256) {
        func tagged(_ tag: UInt8, _ bytes: [UInt8]) {
            var length = UInt64(bytes.count).bigEndian
            hash.update(data: [tag])
            withUnsafeBytes(of: &length) { hash.update(bufferPointer: $0) }
            hash.update(data: bytes)
        }
        switch value {
        case .null: tagged(0, [])
        case .integer(let number): tagged(1, Array(String(number).utf8))
        case .real(let number): tagged(2, Array(String(number).utf8))
        case .text(let text): tagged(3, Array(text.utf8))
        case .blob(let data): tagged(4, Array(data))
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
