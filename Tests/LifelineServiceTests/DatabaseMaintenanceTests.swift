import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

struct DatabaseMaintenanceTests {
    private let clock = FixedClock(date: Date(epochMilliseconds: 1_764_416_460_000))  // 2025-11-29T11:41:00Z

    private func files(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    @Test func planOnAMissingDatabaseCreatesNothing() throws {
        try withTemporaryDirectory { folder in
            let maintenance = DatabaseMaintenance(.testing(DatabaseSettings(path: folder + "/new.db"), clock: clock))
            let plan = try maintenance.plan()
            #expect(!plan.databaseExists)
            #expect(plan.pending.map(\.fileName) == LifelineSchema.migrations.map(\.fileName))
            #expect(try files(in: folder).isEmpty)
        }
    }

    @Test func migratingAFreshDatabaseWritesNoBackup() throws {
        try withTemporaryDirectory { folder in
            let maintenance = DatabaseMaintenance(.testing(DatabaseSettings(path: folder + "/new.db"), clock: clock))
            let outcome = try maintenance.migrate(backup: true)
            #expect(outcome.fromVersion == 0)
            #expect(outcome.toVersion == LifelineSchema.migrations.last?.version)
            #expect(outcome.backupPath == nil)
            let again = try maintenance.migrate(backup: true)
            #expect(again.applied.isEmpty)
            #expect(again.backupPath == nil, "an up-to-date database is not backed up")
            #expect(try files(in: folder) == ["new.db"])
        }
    }

    @Test func backsUpADatabaseThatHoldsDataBeforeMigrating() throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/old.db"
            let existing = try SQLiteConnection(path: path)
            try existing.executeScript("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me');")
            existing.close()
            let maintenance = DatabaseMaintenance(.testing(DatabaseSettings(path: path), clock: clock))
            let outcome = try maintenance.migrate(backup: true)
            let backup = try #require(outcome.backupPath)
            #expect(backup == path + ".bak-0-20251129T114100Z")
            let copy = try SQLiteConnection(path: backup)
            #expect(try copy.integrityProblems().isEmpty)
            #expect(try copy.queryFirst("SELECT text FROM notes") { $0.string(at: 0) } == "keep me")
            #expect(try copy.queryFirst("SELECT count(*) FROM sqlite_schema WHERE name = 'users'") { $0.int64(at: 0) } == 0)
        }
    }

    @Test func noBackupMeansNoBackup() throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/old.db"
            try SQLiteConnection(path: path).executeScript("CREATE TABLE notes (text TEXT);")
            _ = try DatabaseMaintenance(.testing(DatabaseSettings(path: path), clock: clock)).migrate(backup: false)
            #expect(try files(in: folder) == ["old.db"])
        }
    }

    @Test func doctorPassesOnAMigratedDatabaseAndFlagsProblems() throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/d.db"
            let maintenance = DatabaseMaintenance(.testing(DatabaseSettings(path: path), clock: clock))
            _ = try maintenance.migrate(backup: false)
            let healthy = try maintenance.diagnose()
            #expect(healthy.isHealthy, "\(healthy.checks)")

            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
            let connection = try SQLiteConnection(path: path)
            try connection.execute("PRAGMA foreign_keys = OFF")
            try connection.execute("INSERT INTO group_memberships (group_id, user_id, added_at) VALUES (99, 98, 0)")
            let report = try maintenance.diagnose()
            let failed = report.checks.filter { !$0.isPassing }.map(\.name)
            #expect(failed == ["file permissions", "foreign keys"])
        }
    }

    @Test func doctorFlagsPendingMigrations() throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/empty.db"
            try SQLiteConnection(path: path).close()
            let report = try DatabaseMaintenance(.testing(DatabaseSettings(path: path), clock: clock)).diagnose()
            let schema = try #require(report.checks.first { $0.name == "schema version" })
            #expect(!schema.isPassing)
            #expect(schema.detail.contains("lifeline migrate"))
        }
    }

    @Test func doctorOnAMissingDatabaseIsInputMissing() throws {
        try withTemporaryDirectory { folder in
            let maintenance = DatabaseMaintenance(.testing(DatabaseSettings(path: folder + "/none.db"), clock: clock))
            do {
                _ = try maintenance.diagnose()
                Issue.record("doctor on a missing file succeeded")
            } catch let failure as DatabaseFailure {
                #expect(failure.kind == .inputMissing)
                #expect(failure.message.contains("none.db"))
            }
            #expect(try files(in: folder).isEmpty)
        }
    }

    @Test func busyDatabaseBecomesABusyFailure() throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/busy.db"
            let holder = try SQLiteConnection(path: path)
            try holder.execute("BEGIN IMMEDIATE")
            defer { try? holder.execute("ROLLBACK") }
            let maintenance = DatabaseMaintenance(
                .testing(DatabaseSettings(path: path, busyTimeout: .milliseconds(50)), clock: clock))
            do {
                _ = try maintenance.migrate(backup: false)
                Issue.record("migrating a locked database succeeded")
            } catch let failure as DatabaseFailure {
                #expect(failure.kind == .busy)
                #expect(failure.message.contains("50 ms"))
            }
        }
    }
}

/// Every earlier schema version upgrades with its backup written: the backup opens on its
/// own, is owner-only, and holds what the database held.
struct UpgradePathTests {
    @Test(arguments: 1..<LifelineSchema.migrations.count)
    func aDatabaseAtEachEarlierVersionMigratesWithAReadableOwnerOnlyBackup(version: Int) throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/v\(version).db"
            let connection = try SQLiteConnection(path: path)
            try SchemaMigrator(migrations: Array(LifelineSchema.migrations.prefix(version))).migrate(connection, at: Date())
            try connection.execute(
                "INSERT INTO users (email, display_name, created_at, updated_at) VALUES ('ann@example.com', 'Ann', 0, 0)")
            connection.close()

            let outcome = try DatabaseMaintenance(.testing(DatabaseSettings(path: path))).migrate(backup: true)
            #expect(outcome.fromVersion == version && outcome.toVersion == LifelineSchema.migrations.count)
            let backup = try #require(outcome.backupPath)
            #expect(backup.hasPrefix(path + ".bak-\(version)-") && backup.hasSuffix("Z"))
            let mode = try FileManager.default.attributesOfItem(atPath: backup)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            for file in [backup, path] {
                let copy = try SQLiteConnection(path: file)
                #expect(try copy.queryFirst("SELECT display_name FROM users WHERE email = 'ann@example.com'") { $0.string(at: 0) } == "Ann")
                copy.close()
            }
            let backedUp = try SQLiteConnection(path: backup)
            #expect(try LifelineSchema.makeMigrator().status(of: backedUp).currentVersion == version)
        }
    }
}
