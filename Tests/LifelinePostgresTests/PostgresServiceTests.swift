import Foundation
import LifelinePostgres
import LifelineStore
import LifelineTestSupport
import Synchronization
import Testing

@testable import LifelineService

/// The service's handle on PostgreSQL: what only a server of its own can show.
@Suite struct PostgresServiceTests {
    @Test func aWriteThatLosesAConflictWithAnotherServerRunsAgainWhole() throws {
        let location = try TestEngine.newPostgresDatabase()
        let settings = DatabaseSettings(location: .postgres(location))
        _ = try DatabaseMaintenance(LifelineEnvironment(database: settings, secret: .notNamed)).migrate(backup: false)
        let setup = try PostgresSQLConnection.connect(to: location)
        defer { setup.close() }
        try setup.execute("INSERT INTO settings (key, value, updated_at) VALUES ('k', 'a', 0)")
        let other = try PostgresSQLConnection.connect(to: location)
        defer { other.close() }

        let database = Database(settings)
        let attempts = Mutex(0)
        let seen = try database.write { connection -> String in
            let attempt = attempts.withLock { $0 += 1; return $0 }
            let value = try connection.queryFirst("SELECT value FROM settings WHERE key = 'k'") { $0.string(at: 0) } ?? ""
            // The first time, another server changes the row after this transaction read it:
            // PostgreSQL refuses this transaction's update (40001) and rolls it back.
            if attempt == 1 { try other.execute("UPDATE settings SET value = 'b' WHERE key = 'k'") }
            try connection.execute("UPDATE settings SET value = ? || '+c' WHERE key = 'k'", value)
            return value
        }
        #expect(attempts.withLock { $0 } == 2)
        #expect(seen == "b")
        #expect(try setup.queryFirst("SELECT value FROM settings WHERE key = 'k'") { $0.string(at: 0) } == "b+c")
    }

    /// A database made without a locale is SQL_ASCII: `migrate` says so, and what to do, before
    /// it changes anything (the schema's first collation would fail in PostgreSQL's words).
    @Test func migrateRefusesADatabaseNotEncodedInUTF8() throws {
        let url = try PostgresTestServer.shared.get().makeDatabase(encoding: "SQL_ASCII")
        let location = try PostgresLocation(url: url, environment: [:])
        let maintenance = DatabaseMaintenance(LifelineEnvironment(database: DatabaseSettings(location: .postgres(location)), secret: .notNamed))
        do {
            _ = try maintenance.migrate(backup: false)
            Issue.record("migrated a SQL_ASCII database")
        } catch let failure as DatabaseFailure {
            #expect(failure.kind == .configuration)
            #expect(failure.description.contains("encoding is SQL_ASCII; Lifeline's schema needs UTF8"), "\(failure)")
            #expect(failure.description.contains("createdb -E UTF8"), "\(failure)")
        }
        let check = try PostgresSQLConnection.connect(to: location)
        defer { check.close() }
        #expect(try check.queryFirst("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") { $0.int64(at: 0) } == 0)
    }

    @Test func aPostgreSQLDatabaseNeedsANamedSharedSecret() throws {
        do {
            _ = try SecretSource.notNamed.keys(create: true, random: SystemRandom())
            Issue.record("a secret was made up for a shared database")
        } catch let failure as SecretFailure {
            #expect(failure == .sharedSecretNotNamed)
            #expect(failure.remedy?.contains("LIFELINE_SECRET_FILE") == true)
        }
    }

    /// Two servers on one database (each its own pool, as two processes have) asked for codes
    /// for one user at the same moment: the per-user limit is the database's, so it holds
    /// across them, as one server's does.
    @Test func aUsersCodeLimitHoldsAcrossServers() async throws {
        let location = try TestEngine.newPostgresDatabase()
        let settings = DatabaseSettings(location: .postgres(location))
        _ = try DatabaseMaintenance(LifelineEnvironment(database: settings, secret: .notNamed)).migrate(backup: false)
        let setup = try PostgresSQLConnection.connect(to: location)
        defer { setup.close() }
        try setup.execute(
            """
            INSERT INTO users (email, created_at, updated_at, sms_status, sms_number)
            VALUES ('ann@example.com', 0, 0, 'valid', '447700900123')
            """)
        let secret = SecretSource.value(String(repeating: "ab", count: 32))
        let servers = (0..<2).map { _ in LifelineEnvironment(database: Database(settings, pool: ConnectionPool()), secret: secret) }
        final class Tally: Sendable { let sent = Mutex(0) }
        let tally = Tally()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<16 {
                group.addTask {
                    await onOwnThread {
                        let outcome = try? VerificationService(servers[index % 2]).request(email: "ann@example.com", purpose: .passwordReset)
                        if outcome?.status == .sent { tally.sent.withLock { $0 += 1 } }
                    }
                }
            }
        }
        #expect(tally.sent.withLock { $0 } == VerificationService.userLimit)
        let queued = try setup.queryFirst("SELECT count(*) FROM outbox WHERE program = 'verification'") { $0.int64(at: 0) }
        #expect(queued == Int64(VerificationService.userLimit))
    }
}
