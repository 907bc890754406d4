import Foundation
import LifelinePostgres
import LifelineStore
import LifelineVocabulary
import LifelineTestSupport
import Testing

@testable import LifelineService

/// `lifeline copy`'s service, in both directions between the engines: every row with its id,
/// the ledger's history, the outbox's idempotency keys never handed out twice, and a target
/// that already holds data refused untouched.
@Suite struct DatabaseCopyTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    enum Direction: String, CaseIterable, CustomTestStringConvertible {
        case sqliteToPostgres
        case postgresToSQLite
        var testDescription: String { rawValue }
        var engines: (from: TestEngine, to: TestEngine) { self == .sqliteToPostgres ? (.sqlite, .postgres) : (.postgres, .sqlite) }
    }

    /// A directory with consent history, and an outbox whose newest message was purged.
    private func fill(_ connection: any SQLConnection) throws -> (outboxHighWater: Int64, digest: String) {
        try connection.write {
            let user = try connection.insert(
                "INSERT INTO users (email, display_name, created_at, updated_at, sms_status, sms_number) VALUES (?, ?, ?, ?, 'valid', ?)",
                "zoë@example.com", "Zoë", now, now, "447700900123")
            let ledger = ConsentLedger(connection: connection)
            for (state, minutes) in [(ConsentState.pending, 0), (.optedIn, 1), (.optedOut, 2)] {
                _ = try ledger.append(
                    ConsentChange(
                        userID: user, number: "447700900123", program: .continuity, state: state, source: .admin,
                        actor: "hr", evidence: "form \(minutes)", at: now.addingTimeInterval(Double(minutes) * 60)))
            }
            for _ in 0..<3 {
                _ = try connection.insert(
                    """
                    INSERT INTO outbox (channel, destination, body, kind, program, user_id, next_attempt_at, created_at, updated_at)
                    VALUES ('sms', '447700900123', 'hi', 'notice', 'service', ?, ?, ?, ?)
                    """, user, now, now, now)
            }
            try connection.execute("DELETE FROM outbox WHERE id = (SELECT max(id) FROM outbox)")
        }
        return (try DatabaseCopier.highestID("outbox", on: connection), try DatabaseCopier.ledgerDigest(on: connection))
    }

    @Test(arguments: Direction.allCases)
    func everyRowArrivesWithItsIDAndTheLedgerDigestMatches(direction: Direction) throws {
        try direction.engines.from.withMigratedSettings { source in
            let filled = try source.translatingErrors {
                let connection = try source.open(createIfMissing: false)
                defer { connection.close() }
                return try fill(connection)
            }
            #expect(filled.outboxHighWater == 3, "the purged message's id counts")
            try direction.engines.to.withMigratedSettings { target in
                let summary = try DatabaseCopy(from: source, to: target).run()
                #expect(summary.tables.first { $0.name == "consent_ledger" }?.rows == 3)
                #expect(summary.tables.first { $0.name == "outbox" }?.rows == 2)
                #expect(summary.ledgerDigest == filled.digest)
                #expect(summary.consentCurrentRows == 1)
                let copied = try target.open(createIfMissing: false)
                defer { copied.close() }
                let current = try ConsentLedger(connection: copied).current(userID: 1, number: "447700900123", program: .continuity)
                #expect(current.state == .optedOut && current.ledgerID == 3)
                // The next message gets an id past every one the source handed out: an
                // idempotency key is never sent twice for two messages.
                let next = try copied.write {
                    try copied.insert(
                        """
                        INSERT INTO outbox (channel, destination, body, kind, program, next_attempt_at, created_at, updated_at)
                        VALUES ('sms', '447700900123', 'hi', 'notice', 'service', ?, ?, ?)
                        """, now, now, now)
                }
                #expect(next == 4)
                #expect(try copied.queryFirst("SELECT email FROM users WHERE id = 1") { $0.string(at: 0) } == "zoë@example.com")
            }
        }
    }

    @Test(arguments: TestEngine.allCases)
    func aTargetHoldingDataIsRefusedAndLeftAsItWas(engine: TestEngine) throws {
        try TestEngine.sqlite.withMigratedSettings { source in
            try engine.withMigratedSettings { target in
                let connection = try target.open(createIfMissing: false)
                defer { connection.close() }
                let digest = try fill(connection).digest
                do {
                    _ = try DatabaseCopy(from: source, to: target).run()
                    Issue.record("a copy went into a database holding data")
                } catch let failure as CopyFailure {
                    guard case .targetNotEmpty(_, let tables) = failure else { throw failure }
                    #expect(tables.contains("users: 1 rows"))
                }
                #expect(try DatabaseCopier.ledgerDigest(on: connection) == digest)
                #expect(try DatabaseCopier.count("outbox", on: connection) == 2)
                #expect(throws: CopyFailure.sameDatabase(target.path)) { try DatabaseCopy(from: target, to: target).run() }
            }
        }
    }

    /// The copy's table list is every table of both schemas: a migration that adds one fails
    /// here until the copy knows where it goes.
    @Test(arguments: TestEngine.allCases)
    func theCopiedTablesAreEveryTableOfTheSchema(engine: TestEngine) throws {
        try engine.withMigratedConnection { connection in
            let names = try connection.dialect == .sqlite
                ? connection.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") { $0.string(at: 0) }
                : connection.query("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()") { $0.string(at: 0) }
            let expected = Set(DatabaseCopier.tables + DatabaseCopier.derivedTables + [SchemaMigrator.recordTable])
            #expect(Set(names) == expected)
        }
    }
}
