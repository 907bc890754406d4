import FoundationEssentials
import LifelineStore

/// A migration, as reports show it.
public struct MigrationSummary: Sendable, Equatable, Codable {
    public let version: Int
    public let name: String
    public let fileName: String
}

/// What `migrate --dry-run` would do.
public struct MigrationPlan: Sendable {
    public let databasePath: String
    /// Whether the database file exists yet.
    public let databaseExists: Bool
    public let currentVersion: Int
    public let latestVersion: Int
    public let pending: [MigrationSummary]
}

/// What `migrate` did.
public struct MigrationOutcome: Sendable {
    public let databasePath: String
    public let fromVersion: Int
    public let toVersion: Int
    public let applied: [MigrationSummary]
    /// The backup written before migrating, if one was.
    public let backupPath: String?
    /// How many users' SMS numbers were judged again (the number rule was new to the database); nil: none.
    public let numbersJudged: Int?
}

/// Creates and upgrades the database, and checks its health.
public struct DatabaseMaintenance: Sendable {
    public let environment: LifelineEnvironment
    public var settings: DatabaseSettings { environment.database.settings }
    public var clock: any WallClock { environment.clock }

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    /// Whether the database opens at this binary's schema with its numbers judged (a server's
    /// readiness); throws the failure that says why not.
    public func checkReady() throws {
        let acceptsWrites = try environment.database.withCurrentConnection { try $0.acceptsWrites() }
        guard acceptsWrites else {
            throw DatabaseFailure(
                kind: .databaseUnavailable,
                message: "\(settings.path) takes no writes: the server is a standby or read-only (a failover under way?)",
                remedy: "name every server in the URL with target_session_attrs=read-write, so Lifeline finds the one that takes writes")
        }
    }

    /// Lists the pending migrations without creating or changing anything.
    public func plan() throws -> MigrationPlan {
        let migrator = try settings.translatingErrors { try settings.makeMigrator() }
        if let file = settings.filePath, !FileManager.default.fileExists(atPath: file) {
            return MigrationPlan(
                databasePath: settings.path, databaseExists: false, currentVersion: 0,
                latestVersion: migrator.latestVersion, pending: migrator.migrations.map(\.summary))
        }
        return try settings.translatingErrors {
            let connection = try settings.open(createIfMissing: false)
            defer { connection.close() }
            let status = try migrator.status(of: connection)
            if let problem = status.problems.first { throw problem }
            return MigrationPlan(
                databasePath: settings.path, databaseExists: true, currentVersion: status.currentVersion,
                latestVersion: migrator.latestVersion, pending: status.pending.map(\.summary))
        }
    }

    /// Applies the pending migrations; first backs up a database that already has a schema,
    /// unless `backup` is false.
    public func migrate(backup: Bool) throws -> MigrationOutcome {
        try settings.translatingErrors {
            let migrator = try settings.makeMigrator()
            let connection = try settings.open(createIfMissing: true)
            defer { connection.close() }
            let status = try migrator.status(of: connection)
            if let problem = status.problems.first { throw problem }
            var backupPath: String?
            // A backup by copy is the file engine's; a PostgreSQL server's are its own
            // (pg_dump, base backups), and its migrations undo themselves whole on failure.
            if backup, !status.pending.isEmpty, let file = connection as? SQLiteConnection, try file.hasSchema() {
                let path = Self.backupPath(for: settings.path, version: status.currentVersion, at: clock.now())
                try file.backup(to: path)
                backupPath = path
            }
            let applied = try migrator.migrate(connection, at: clock.now())
            let finalVersion = try migrator.status(of: connection).currentVersion
            // After the schema, the stored verdicts: a migration that adds them, or a binary with
            // another version of the number rule, leaves them to be judged here. Its own
            // transaction: a crash before it commits leaves the rule version unrecorded, and the
            // next `migrate` (which every command asks for until then) judges them again.
            let judged = try connection.write {
                try SMSNumberRule.isCurrent(connection: connection)
                    ? nil : try SMSNumberRule.judgeAll(connection: connection, at: clock.now())
            }
            return MigrationOutcome(
                databasePath: settings.path, fromVersion: status.currentVersion, toVersion: finalVersion,
                applied: applied.map(\.summary), backupPath: backupPath, numbersJudged: judged)
        }
    }

    /// `<db>.bak-<version>-<UTC timestamp>` (basic ISO 8601, `20261201T221500Z`), beside the database.
    ///
    /// Formatted by ``UTCTimestamp``: Foundation's `TimeZone(identifier: "UTC")` is nil in a
    /// release binary with the static standard library, which has no time-zone database.
    static func backupPath(for path: String, version: Int, at date: Date) -> String {
        let stamp = UTCTimestamp.string(from: date).filter { $0 != "-" && $0 != ":" }
        return "\(path).bak-\(version)-\(stamp)"
    }
}

extension SchemaMigration {
    var summary: MigrationSummary { MigrationSummary(version: version, name: name, fileName: fileName) }
}
