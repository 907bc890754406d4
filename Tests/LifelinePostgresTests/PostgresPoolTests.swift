import Foundation
import LifelinePostgres
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

/// The server's kept connections on PostgreSQL: reused while the server keeps them, dropped
/// when it hangs up, and never waiting for ever on a server that stopped answering.
@Suite struct PostgresPoolTests {
    private func pooledDatabase() throws -> (Database, PostgresLocation) {
        let location = try TestEngine.newPostgresDatabase()
        let settings = DatabaseSettings(location: .postgres(location))
        _ = try DatabaseMaintenance(LifelineEnvironment(database: settings, secret: .notNamed)).migrate(backup: false)
        return (Database(settings, pool: ConnectionPool(capacity: 2)), location)
    }

    private func backend(_ database: Database) throws -> Int64 {
        try database.read { try $0.queryFirst("SELECT pg_backend_pid()") { $0.int64(at: 0) } ?? 0 }
    }

    @Test func aConnectionIsKeptAndReused() throws {
        let (database, _) = try pooledDatabase()
        let first = try backend(database)
        #expect(database.pool?.idleCount == 1)
        #expect(try backend(database) == first)
    }

    @Test func aConnectionTheServerHungUpIsReplaced() throws {
        let (database, location) = try pooledDatabase()
        let first = try backend(database)
        let admin = try PostgresSQLConnection.connect(to: location)
        defer { admin.close() }
        // What a server restart or a failover does to every open connection.
        // (Waiting up to 5 s for the backend to be gone, so the kept connection cannot still work.)
        #expect(try admin.queryFirst("SELECT pg_terminate_backend(CAST(? AS integer), 5000)", first) { $0.int64(at: 0) } == 1)
        // The first use after may meet the closed socket (then the pool drops it); the next works.
        _ = try? backend(database)
        let second = try backend(database)
        #expect(second != first)
    }

    @Test func aStatementWithNoAnswerGivesUpTheConnection() throws {
        let location = try TestEngine.newPostgresDatabase()
        let connection = try PostgresSQLConnection.connect(to: location)
        defer { connection.close() }
        connection.answerTimeout = .milliseconds(300)
        do {
            // A server that takes far longer than the timeout to answer, as a lost one would.
            try connection.execute("SELECT pg_sleep(30)")
            Issue.record("the statement's answer was waited for past the timeout")
        } catch let error as PostgresEngineError {
            #expect(error.isUnreachable)
            #expect(error.message.contains("did not answer within 300 ms"))
        }
        #expect(connection.isLost)
    }

    /// Bulk work (an import, a fan-out, a dispatcher's run) takes a kept connection, rather than
    /// sign in afresh each time, and waits as long as its statements take; the connection goes
    /// back with a request's answer timeout.
    @Test func bulkWorkTakesAKeptConnectionAndWaitsAsLongAsItTakes() throws {
        let (database, _) = try pooledDatabase()
        let request = try database.hold()
        let pid = try request.connection.queryFirst("SELECT pg_backend_pid()") { $0.int64(at: 0) }
        request.connection.answerTimeout = .milliseconds(300)
        request.release()

        let bulk = try database.hold(cacheSizeKiB: 64 * 1024)
        #expect(try bulk.connection.queryFirst("SELECT pg_backend_pid()") { $0.int64(at: 0) } == pid, "the kept one")
        try bulk.connection.execute("SELECT pg_sleep(0.6)")
        bulk.release()

        let again = try database.hold()
        defer { again.release() }
        #expect(again.connection.answerTimeout == .milliseconds(300))
        #expect(throws: (any Error).self, "a request's statement is given up past the timeout again") {
            try again.connection.execute("SELECT pg_sleep(0.6)")
        }
    }
}
