import FoundationEssentials

/// Applies an ordered list of migrations, each in its own write transaction together with its
/// record, and refuses databases whose recorded history does not match the list. The same on
/// both engines: each has its own list (SQLite's `Migrations/`, PostgreSQL's
/// `Migrations/postgres/`), and PostgreSQL's transactional DDL undoes a failed migration whole,
/// as SQLite's does.
public struct SchemaMigrator: Sendable {
    /// What a database holds compared with the migrator's list.
    public struct Status: Sendable {
        /// The migrations recorded in the database, by version.
        public let applied: [AppliedMigration]
        /// The known migrations not yet applied, in order.
        public let pending: [SchemaMigration]
        /// Everything that makes the migrator refuse the database (empty when it is sound).
        public let problems: [MigrationError]
        /// The highest applied version (0 for a new database).
        public var currentVersion: Int { applied.map(\.version).max() ?? 0 }
    }

    /// The table that records applied migrations.
    public static let recordTable = "schema_migrations"

    /// How a migration says it only adds (tables, columns with defaults, indexes, triggers that
    /// fill new columns): its name begins so, `NNNN_add_templates.sql`. The previous release
    /// runs unchanged on a schema that has it, so a binary accepts a database that is ahead of
    /// it by such migrations only: servers keep running while `lifeline migrate` applies the
    /// next release's, and are replaced one at a time after (docs/high-availability.md).
    public static let additivePrefix = "add_"

    /// The migrations, ordered by version.
    public let migrations: [SchemaMigration]

    /// The highest version the migrator knows.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// The oldest SQLite library the migrations' SQL runs on, and the features that need it.
    public let requiredLibrary: (version: SQLiteLibraryVersion, features: String)?
    /// The library the migrator checks against (the linked one; tests pass an older one).
    let linkedLibrary: SQLiteLibraryVersion

    public init(
        migrations: [SchemaMigration], requiredLibrary: (version: SQLiteLibraryVersion, features: String)? = nil,
        linkedLibrary: SQLiteLibraryVersion = .linked
    ) throws(MigrationError) {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (earlier, later) in zip(sorted, sorted.dropFirst()) where earlier.version == later.version {
            throw .duplicateVersion(later.version, [earlier.fileName, later.fileName])
        }
        self.migrations = sorted
        self.requiredLibrary = requiredLibrary
        self.linkedLibrary = linkedLibrary
    }

    /// Compares the database's records with the list, without writing anything.
    ///
    /// Throws ``MigrationError/libraryTooOld(found:needed:features:)`` before reading
    /// anything when the linked SQLite cannot read the schema (an old one calls a STRICT table
    /// a malformed schema, which would send an operator looking for corruption).
    public func status(of connection: any SQLConnection) throws -> Status {
        if connection.dialect == .sqlite, let requiredLibrary, linkedLibrary < requiredLibrary.version {
            throw MigrationError.libraryTooOld(
                found: linkedLibrary, needed: requiredLibrary.version, features: requiredLibrary.features)
        }
        let applied = try appliedMigrations(in: connection)
        // Linear searches over a handful of migrations: every command runs this at start-up, and
        // a Dictionary or Set here cost the runtime a first conformance lookup each (a scan of
        // every conformance in the binary, about 0.1 ms).
        var problems: [MigrationError] = []
        let ahead = applied.filter { $0.version > latestVersion }
        if let newest = ahead.last, !ahead.allSatisfy({ $0.name.hasPrefix(Self.additivePrefix) }) {
            problems.append(.databaseNewer(databaseVersion: newest.version, binaryVersion: latestVersion))
        }
        for record in applied {
            // Same version under another name is another migration, not an edited one.
            guard let migration = migrations.first(where: { $0.version == record.version }), migration.name == record.name
            else {
                if record.version <= latestVersion {
                    problems.append(.unknownMigration(version: record.version, name: record.name))
                }
                continue
            }
            if migration.checksum != record.checksum {
                problems.append(
                    .checksumMismatch(
                        version: record.version, name: record.name,
                        recorded: record.checksum, expected: migration.checksum))
            }
        }
        let pending = migrations.filter { migration in !applied.contains { $0.version == migration.version } }
        return Status(applied: applied, pending: pending, problems: problems)
    }

    /// Applies every pending migration, in order; returns those it applied.
    ///
    /// Refuses (throws the first problem) when ``status(of:)`` finds any. Each migration runs in
    /// its own write transaction with its record, so a failure leaves the database at the previous
    /// version, and a second process migrating at the same time skips what the first already
    /// applied. SQLite's write lock serialises the two; on PostgreSQL a transaction-scoped
    /// advisory lock does, so two servers starting at once cannot both create a table.
    @discardableResult
    public func migrate(_ connection: any SQLConnection, at date: Date) throws -> [SchemaMigration] {
        let status = try status(of: connection)
        if let problem = status.problems.first { throw problem }
        // Checked before the first migration, whose collation would otherwise fail with
        // PostgreSQL's own words ("encoding is not supported with this provider").
        if connection.dialect == .postgres, !status.pending.isEmpty,
            let encoding = try connection.queryFirst("SELECT current_setting('server_encoding')", map: { $0.string(at: 0) }),
            encoding != "UTF8"
        {
            throw MigrationError.encodingNotUTF8(found: encoding)
        }
        var applied: [SchemaMigration] = []
        for migration in status.pending {
            let didApply = try connection.write {
                if connection.dialect == .postgres {
                    try connection.execute("SELECT pg_advisory_xact_lock(?)", Self.advisoryLockKey)
                }
                try createRecordTable(in: connection)
                let alreadyApplied = try connection.queryFirst(
                    "SELECT 1 FROM \(Self.recordTable) WHERE version = ?", migration.version
                ) { _ in true }
                guard alreadyApplied == nil else { return false }
                do {
                    try connection.executeScript(migration.sql)
                } catch let error as any SQLEngineError {
                    throw MigrationError.migrationFailed(
                        fileName: migration.fileName, statement: error.sql, underlying: MigrationFailureCause(error))
                }
                try connection.execute(
                    "INSERT INTO \(Self.recordTable) (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
                    migration.version, migration.name, migration.checksum, date)
                return true
            }
            if didApply { applied.append(migration) }
        }
        return applied
    }

    /// The key of the advisory lock PostgreSQL migrations take: any fixed number no other
    /// program on the database uses ("LIFELINE" in ASCII).
    static let advisoryLockKey: Int64 = 0x4C49_4645_4C49_4E45

    private func appliedMigrations(in connection: any SQLConnection) throws -> [AppliedMigration] {
        let hasTable = try connection.queryFirst(
            connection.dialect == .sqlite
                ? "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?"
                : "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = ?",
            Self.recordTable
        ) { _ in true }
        guard hasTable != nil else { return [] }
        return try connection.query(
            "SELECT version, name, checksum, applied_at FROM \(Self.recordTable) ORDER BY version"
        ) { row in
            AppliedMigration(
                version: try row.get(0), name: try row.get(1),
                checksum: try row.get(2), appliedAtMilliseconds: try row.get(3))
        }
    }

    private func createRecordTable(in connection: any SQLConnection) throws {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS \(Self.recordTable) (
                version \(connection.dialect == .sqlite ? "INTEGER" : "BIGINT") PRIMARY KEY,
                name TEXT NOT NULL,
                checksum TEXT NOT NULL,
                applied_at \(connection.dialect == .sqlite ? "INTEGER" : "BIGINT") NOT NULL
            )\(connection.dialect == .sqlite ? " STRICT" : "")
            """)
    }
}
