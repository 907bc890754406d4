import Foundation
import LifelineTestSupport
import Testing

@testable import LifelineStore

struct SchemaMigratorTests {
    private let first = SchemaMigration(version: 1, name: "people", sql: "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT);")
    private let second = SchemaMigration(
        version: 2, name: "pets", sql: "CREATE TABLE pets (id INTEGER PRIMARY KEY);\nINSERT INTO pets VALUES (1);")
    private let now = Date(epochMilliseconds: 1_764_416_460_000)

    private func versions(_ connection: SQLiteConnection) throws -> [Int] {
        try connection.query("SELECT version FROM schema_migrations ORDER BY version") { try $0.get(0) }
    }

    private func tables(_ connection: SQLiteConnection) throws -> [String] {
        try connection.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name") { $0.string(at: 0) }
    }

    @Test func migratesAFreshDatabaseAndRecordsEachMigration() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        let migrator = try SchemaMigrator(migrations: [second, first])
        let applied = try migrator.migrate(connection, at: now)
        #expect(applied.map(\.version) == [1, 2])
        #expect(try versions(connection) == [1, 2])
        let record = try #require(
            try connection.queryFirst("SELECT name, checksum, applied_at FROM schema_migrations WHERE version = 1") {
                ($0.string(at: 0), $0.string(at: 1), $0.int64(at: 2))
            })
        #expect(record.0 == "people")
        #expect(record.1 == first.checksum)
        #expect(record.1.count == 64)
        #expect(record.2 == now.epochMilliseconds)
    }

    @Test func refusesAnSQLiteOlderThanTheMigrationsNeedBeforeReadingAnything() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        let old = SQLiteLibraryVersion(3, 31, 1)
        let migrator = try SchemaMigrator(
            migrations: [first], requiredLibrary: (SQLiteLibraryVersion(3, 37, 0), "STRICT tables"), linkedLibrary: old)
        #expect(throws: MigrationError.libraryTooOld(found: old, needed: SQLiteLibraryVersion(3, 37, 0), features: "STRICT tables")) {
            try migrator.migrate(connection, at: now)
        }
        #expect(try tables(connection).isEmpty)
        let message = MigrationError.libraryTooOld(found: old, needed: SQLiteLibraryVersion(3, 37, 0), features: "STRICT tables")
            .description
        #expect(message == "this system's SQLite library is 3.31.1; Lifeline's schema needs 3.37.0 or newer (STRICT tables)")
        #expect(SQLiteLibraryVersion.linked >= LifelineSchema.requiredLibrary.version, "the library this test runs on")
    }

    @Test func upToDateDatabaseIsANoOp() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        let migrator = try SchemaMigrator(migrations: [first, second])
        try migrator.migrate(connection, at: now)
        let again = try migrator.migrate(connection, at: now.addingTimeInterval(60))
        #expect(again.isEmpty)
        #expect(try migrator.status(of: connection).pending.isEmpty)
        #expect(try connection.queryFirst("SELECT count(*) FROM pets") { $0.int64(at: 0) } == 1)
    }

    @Test func appliesOnlyTheNewMigrations() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        try SchemaMigrator(migrations: [first]).migrate(connection, at: now)
        let status = try SchemaMigrator(migrations: [first, second]).status(of: connection)
        #expect(status.currentVersion == 1)
        #expect(status.pending.map(\.version) == [2])
        let applied = try SchemaMigrator(migrations: [first, second]).migrate(connection, at: now)
        #expect(applied.map(\.version) == [2])
        #expect(try versions(connection) == [1, 2])
    }

    @Test func refusesAnAppliedMigrationWhoseChecksumChanged() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        try SchemaMigrator(migrations: [first]).migrate(connection, at: now)
        let edited = SchemaMigration(version: 1, name: "people", sql: first.sql + "\n-- edited")
        let migrator = try SchemaMigrator(migrations: [edited, second])
        #expect(throws: MigrationError.self) { try migrator.migrate(connection, at: now) }
        do {
            try migrator.migrate(connection, at: now)
        } catch let error as MigrationError {
            guard case .checksumMismatch(let version, let name, _, _) = error else {
                Issue.record("expected checksumMismatch, got \(error)")
                return
            }
            #expect(version == 1 && name == "people")
            #expect(error.description.contains("people"))
        }
        #expect(try versions(connection) == [1], "nothing else is applied after a refusal")
    }

    @Test func refusesAnAppliedMigrationTheBinaryDoesNotKnow() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        let stray = SchemaMigration(version: 2, name: "experiment", sql: "CREATE TABLE experiment (x);")
        let third = SchemaMigration(version: 3, name: "third", sql: "CREATE TABLE third (x);")
        try SchemaMigrator(migrations: [first, stray]).migrate(connection, at: now)
        let migrator = try SchemaMigrator(migrations: [first, second, third])
        #expect(throws: MigrationError.unknownMigration(version: 2, name: "experiment")) {
            try migrator.migrate(connection, at: now)
        }
    }

    @Test func refusesADatabaseNewerThanTheBinary() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        try SchemaMigrator(migrations: [first, second]).migrate(connection, at: now)
        let older = try SchemaMigrator(migrations: [first])
        #expect(throws: MigrationError.databaseNewer(databaseVersion: 2, binaryVersion: 1)) {
            try older.migrate(connection, at: now)
        }
        #expect(try older.status(of: connection).problems == [.databaseNewer(databaseVersion: 2, binaryVersion: 1)])
    }

    /// The next release's migrations applied while this one still serves: accepted when they
    /// only add (named `add_…`), refused when any may change what this release relies on.
    @Test func acceptsADatabaseAheadOnlyByMigrationsThatAdd() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        let adds = SchemaMigration(version: 3, name: "add_collars", sql: "CREATE TABLE collars (id INTEGER PRIMARY KEY);")
        try SchemaMigrator(migrations: [first, second, adds]).migrate(connection, at: now)
        let previous = try SchemaMigrator(migrations: [first, second])
        let status = try previous.status(of: connection)
        #expect(status.problems.isEmpty && status.pending.isEmpty)
        #expect(try previous.migrate(connection, at: now).isEmpty)

        let rewrites = SchemaMigration(version: 4, name: "rename_pets", sql: "ALTER TABLE pets RENAME TO animals;")
        try SchemaMigrator(migrations: [first, second, adds, rewrites]).migrate(connection, at: now)
        #expect(try previous.status(of: connection).problems == [.databaseNewer(databaseVersion: 4, binaryVersion: 2)])
    }

    @Test func migrationFailingHalfwayLeavesThePreviousVersion() throws {
        try withTemporaryDirectory { folder in
            let connection = try SQLiteConnection(path: folder + "/half.db")
            try SchemaMigrator(migrations: [first]).migrate(connection, at: now)
            let broken = SchemaMigration(
                version: 2, name: "broken",
                sql: """
                    CREATE TABLE pets (id INTEGER PRIMARY KEY);
                    INSERT INTO pets VALUES (1);
                    ALTER TABLE people ADD COLUMN name TEXT;
                    CREATE TABLE never (x);
                    """)
            do {
                try SchemaMigrator(migrations: [first, broken]).migrate(connection, at: now)
                Issue.record("the broken migration applied")
            } catch let error as MigrationError {
                guard case .migrationFailed(let fileName, let statement, let underlying) = error else {
                    Issue.record("expected migrationFailed, got \(error)")
                    return
                }
                #expect(fileName == "0002_broken.sql")
                #expect(statement == "ALTER TABLE people ADD COLUMN name TEXT;")
                #expect(underlying.message.contains("duplicate column"))
            }
            #expect(try versions(connection) == [1])
            #expect(try tables(connection) == ["people", "schema_migrations"])
            #expect(!connection.isInTransaction)
        }
    }

    @Test func duplicateVersionsAreRefused() {
        let twin = SchemaMigration(version: 1, name: "twin", sql: "SELECT 1;")
        #expect(throws: MigrationError.self) { _ = try SchemaMigrator(migrations: [first, twin]) }
    }

    @Test func twoConnectionsMigratingTheSameFileConverge() throws {
        try withTemporaryDirectory { folder in
            let a = try SQLiteConnection(path: folder + "/race.db")
            let b = try SQLiteConnection(path: folder + "/race.db")
            let migrator = try SchemaMigrator(migrations: [first, second])
            // b read its status before a migrated: its own transactions must skip what a applied.
            let statusSeenByB = try migrator.status(of: b)
            #expect(statusSeenByB.pending.count == 2)
            try migrator.migrate(a, at: now)
            let appliedByB = try migrator.migrate(b, at: now)
            #expect(appliedByB.isEmpty)
            #expect(try versions(b) == [1, 2])
        }
    }

    @Test func backupIsAValidCopyWithOwnerOnlyPermissions() throws {
        try withTemporaryDirectory { folder in
            let connection = try SQLiteConnection(path: folder + "/data.db")
            try SchemaMigrator(migrations: [first]).migrate(connection, at: now)
            try connection.execute("INSERT INTO people (name) VALUES ('Zoë')")
            let backupPath = folder + "/data.db.bak"
            try connection.backup(to: backupPath)
            let mode = try FileManager.default.attributesOfItem(atPath: backupPath)[.posixPermissions] as? NSNumber
            #expect(mode?.uint16Value == 0o600)
            let copy = try SQLiteConnection(path: backupPath)
            #expect(try copy.integrityProblems().isEmpty)
            #expect(try copy.queryFirst("SELECT name FROM people") { $0.string(at: 0) } == "Zoë")
            #expect(throws: MigrationError.self) { try connection.backup(to: backupPath) }
        }
    }

    @Test func embeddedSchemaIsValidAndMigratesCleanly() throws {
        #expect(LifelineSchema.migrations.first?.fileName == "0001_directory.sql")
        let connection = try SQLiteConnection(path: ":memory:")
        let migrator = try LifelineSchema.makeMigrator()
        try migrator.migrate(connection, at: now)
        let names = try tables(connection)
        for table in ["users", "attribute_definitions", "user_attributes", "groups", "group_memberships", "settings"] {
            #expect(names.contains(table))
        }
        #expect(try connection.foreignKeyViolations().isEmpty)
    }

    @Test func embeddedChecksumsAreTheSHA256OfTheEmbeddedText() {
        // The build computes them (FileEmbedder's own SHA-256); swift-crypto is the reference.
        #expect(!LifelineSchema.migrations.isEmpty)
        for migration in LifelineSchema.migrations {
            let hashedHere = SchemaMigration(version: migration.version, name: migration.name, sql: migration.sql)
            #expect(migration.checksum == hashedHere.checksum, "\(migration.fileName)")
            #expect(migration.checksum.count == 64)
        }
    }
}
