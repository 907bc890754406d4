import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelinePostgres
@testable import LifelineService

/// A primary with a streaming standby, named together in one multi-host URL: Lifeline settles
/// on the one that takes writes and, when the primary is lost and the standby promoted (what a
/// failover manager does), finds the new one by itself.
@Suite(.serialized) struct FailoverTests {
    /// A new primary of its own with a standby caught up with a migrated database, and the URL
    /// naming both (the standby first, to show order alone does not decide).
    private func pair(targetSession: String) throws -> (primary: PostgresTestServer, standby: PostgresTestStandby, url: String) {
        let primary = try PostgresTestServer.makeOwn()
        let database = try PostgresLocation(url: try primary.makeDatabase(), environment: [:]).database
        let settings = DatabaseSettings(location: .postgres(try PostgresLocation(url: primary.url(database: database), environment: [:])))
        _ = try DatabaseMaintenance(LifelineEnvironment(database: settings, secret: .notNamed)).migrate(backup: false)
        let standby = try primary.makeStandby()
        let url = "postgres://\(primary.user):\(primary.password)@127.0.0.1:\(standby.port),127.0.0.1:\(primary.port)/\(database)"
            + "?sslmode=disable&connect_timeout=2&target_session_attrs=\(targetSession)"
        return (primary, standby, url)
    }

    private func port(_ connection: PostgresSQLConnection) -> Int { connection.location.port }

    @Test func aMultiHostURLSettlesOnTheServerItsTargetAsksFor() throws {
        let (primary, standby, readWrite) = try pair(targetSession: "read-write")
        defer { primary.crash() }
        let writer = try PostgresSQLConnection.connect(to: PostgresLocation(url: readWrite, environment: [:]))
        defer { writer.close() }
        #expect(port(writer) == primary.port)
        #expect(try writer.acceptsWrites())
        let primaryOnly = readWrite.replacingOccurrences(of: "read-write", with: "primary")
        #expect(port(try PostgresSQLConnection.connect(to: PostgresLocation(url: primaryOnly, environment: [:]))) == primary.port)
        let any = readWrite.replacingOccurrences(of: "read-write", with: "any")
        let first = try PostgresSQLConnection.connect(to: PostgresLocation(url: any, environment: [:]))
        #expect(port(first) == standby.port, "the first that answers")
        #expect(try !first.acceptsWrites())

        // Only the standby named: nothing takes writes, and the error says why for each server.
        let standbyOnly = readWrite.replacingOccurrences(of: ",127.0.0.1:\(primary.port)", with: "")
            .replacingOccurrences(of: "@127.0.0.1", with: "@127.0.0.1:9,127.0.0.1")
        do {
            _ = try PostgresSQLConnection.connect(to: PostgresLocation(url: standbyOnly, environment: [:]))
            Issue.record("connected to a standby for writes")
        } catch let error as PostgresEngineError {
            #expect(error.isUnreachable && error.meansServerGone)
            #expect(error.message.contains("127.0.0.1:9: cannot reach"), "\(error.message)")
            #expect(error.message.contains("127.0.0.1:\(standby.port) accepts no writes"), "\(error.message)")
            #expect(!error.message.contains(primary.password))
        }
    }

    /// The primary is lost: until the standby is promoted the server is not ready and a request
    /// that cannot wait is refused as unavailable; a consent change keyed by its evidence and a
    /// code request, idempotent by its request id, wait the failover out and goes through on the new primary, and nothing a client saw
    /// acknowledged before is lost.
    @Test func aConsentChangeAndACodeRequestCarryOnAcrossAFailover() throws {
        let (primary, standby, url) = try pair(targetSession: "read-write")
        defer { standby.crash() }
        let settings = DatabaseSettings(location: .postgres(try PostgresLocation(url: url, environment: [:])))
        var environment = LifelineEnvironment(
            database: Database(settings, pool: ConnectionPool(capacity: 4)), secret: .value(String(repeating: "cd", count: 32)))
        environment.passwordHasher = PasswordHasher(unsafeUncheckedRounds: 1_000)
        try withTemporaryDirectory { folder in
            try "email,mobile\nann@example.com,447700900001\n".write(toFile: folder + "/s.csv", atomically: true, encoding: .utf8)
            _ = try DirectoryImporter(environment).importUsers(from: .file(path: folder + "/s.csv"), path: "s.csv", options: ImportOptions())
        }
        try SMSNumbers(environment).setAttribute(named: "mobile")
        let codes = VerificationService(environment)
        #expect(try codes.request(email: "ann@example.com", purpose: .twoStep, requestID: "before").status == .sent)
        try DatabaseMaintenance(environment).checkReady()
        try waitForReplay(primary: primary, standby: standby)

        primary.crash()
        #expect(throws: DatabaseFailure.self, "no server takes writes until the standby is promoted") {
            try DatabaseMaintenance(environment).checkReady()
        }
        // Promoted, as a failover manager does once the standby has lost its primary, while the
        // request waits for a server that takes writes (the server's kept connections still
        // lead to the lost primary).
        promoteOnceOrphaned(standby, of: primary)
        // A consent change keyed by its evidence waits the failover out too.
        let consent = ConsentService(environment)
        #expect(try consent.recordAdminDecision(email: "ann@example.com", state: .optedIn, evidence: "form 7", actor: "hr").state == .optedIn)
        let after = try codes.request(email: "ann@example.com", purpose: .twoStep, requestID: "after")
        #expect(after.status == .rateLimited || after.status == .sent, "\(after)")
        try DatabaseMaintenance(environment).checkReady()
        #expect(try codes.status(requestID: "before") != nil, "acknowledged before the failover, still there")
        #expect(try codes.request(email: "ann@example.com", purpose: .twoStep, requestID: "after").isRepeat)
        _ = try consent.recordAdminDecision(email: "ann@example.com", state: .optedIn, evidence: "form 7", actor: "hr")
        #expect(try consent.history(of: "ann@example.com").count == 1, "the decision sent again is the same decision")
        let server = try environment.database.withCurrentConnection { ($0 as? PostgresSQLConnection)?.location.port }
        #expect(server == standby.port)
        #expect(DatabaseServerWatch.failovers(of: try PostgresLocation(url: url, environment: [:])) == 1, "counted for /metrics")
    }

    /// An import is idempotent by design: one begun while no server takes writes is run again
    /// from the start of its file on the new primary.
    @Test func anImportOfAFileCarriesOnAcrossAFailover() throws {
        let (primary, standby, url) = try pair(targetSession: "read-write")
        defer { standby.crash() }
        let settings = DatabaseSettings(location: .postgres(try PostgresLocation(url: url, environment: [:])))
        let environment = LifelineEnvironment(database: Database(settings, pool: ConnectionPool(capacity: 4)), secret: .notNamed)
        try withTemporaryDirectory { folder in
            let csv = folder + "/staff.csv"
            try "email,mobile\nann@example.com,447700900001\n".write(toFile: csv, atomically: true, encoding: .utf8)
            let importer = DirectoryImporter(environment)
            _ = try importer.importUsers(from: .file(path: csv), path: "staff.csv", options: ImportOptions())
            try waitForReplay(primary: primary, standby: standby)
            primary.crash()
            promoteOnceOrphaned(standby, of: primary)
            try "email,mobile\nann@example.com,447700900001\nbob@example.com,447700900002\n".write(toFile: csv, atomically: true, encoding: .utf8)
            let summary = try importer.importUsers(from: .file(path: csv), path: "staff.csv", options: ImportOptions())
            #expect(summary.created == 1 && summary.unchanged == 1, "\(summary)")
            let users = try environment.database.withCurrentConnection { connection in
                try connection.query("SELECT email FROM users ORDER BY email") { $0.string(at: 0) }
            }
            #expect(users == ["ann@example.com", "bob@example.com"])
        }
    }

    /// Promotes the standby, on a thread of its own, once it has noticed its primary is gone:
    /// what a failover manager does, while the caller's request waits for a server that takes
    /// writes.
    private func promoteOnceOrphaned(_ standby: PostgresTestStandby, of primary: PostgresTestServer) {
        Thread {
            do {
                try waitUntil("the standby lost its primary", port: standby.port, of: primary) {
                    try $0.queryFirst("SELECT count(*) FROM pg_stat_wal_receiver") { $0.int64(at: 0) } == 0
                }
                try standby.promote()
            } catch {
                Issue.record(error)
            }
        }.start()
    }

    /// Waits until the standby has replayed everything the primary has written.
    private func waitForReplay(primary: PostgresTestServer, standby: PostgresTestStandby) throws {
        let source = try connection(port: primary.port, of: primary)
        defer { source.close() }
        let written = try source.queryFirst("SELECT pg_current_wal_lsn()::text") { $0.string(at: 0) } ?? ""
        try waitUntil("the standby caught up", port: standby.port, of: primary) {
            try $0.queryFirst("SELECT pg_last_wal_replay_lsn() >= CAST(? AS pg_lsn)", written) { $0.int64(at: 0) } == 1
        }
    }
}

private func connection(port: Int, of server: PostgresTestServer) throws -> PostgresSQLConnection {
    try PostgresSQLConnection.connect(
        to: PostgresLocation(url: "postgres://\(server.user):\(server.password)@127.0.0.1:\(port)/postgres?sslmode=disable", environment: [:]))
}

/// Waits, at most 10 s, until `condition` holds on the server at `port` (a server's state:
/// polled, as it offers no event to await).
private func waitUntil(_ what: String, port: Int, of server: PostgresTestServer, _ condition: (PostgresSQLConnection) throws -> Bool) throws {
    let observer = try connection(port: port, of: server)
    defer { observer.close() }
    for _ in 0..<200 {
        if try condition(observer) { return }
        usleep(50_000)
    }
    throw PostgresTestServerError(command: "wait until \(what)", output: "not within 10 s")
}
