import Foundation
import Synchronization
import LifelineTestSupport
import Testing

@testable import LifelineStore

struct SQLiteTransactionTests {
    private struct Boom: Error {}

    private func count(_ connection: SQLiteConnection) throws -> Int64 {
        try connection.queryFirst("SELECT count(*) FROM t") { $0.int64(at: 0) } ?? -1
    }

    private func makeConnection() throws -> SQLiteConnection {
        let connection = try SQLiteConnection(path: ":memory:")
        try connection.execute("CREATE TABLE t (v TEXT)")
        return connection
    }

    @Test func commitsWhenTheBodyReturns() throws {
        let connection = try makeConnection()
        let value = try connection.write {
            try connection.execute("INSERT INTO t VALUES ('a')")
            return 7
        }
        #expect(value == 7)
        #expect(try count(connection) == 1)
        #expect(!connection.isInTransaction)
    }

    @Test func rollsBackWhenTheBodyThrows() throws {
        let connection = try makeConnection()
        #expect(throws: Boom.self) {
            try connection.write {
                try connection.execute("INSERT INTO t VALUES ('a')")
                throw Boom()
            }
        }
        #expect(try count(connection) == 0)
        #expect(!connection.isInTransaction)
    }

    @Test func failedSavepointKeepsTheOuterWork() throws {
        let connection = try makeConnection()
        try connection.write {
            try connection.execute("INSERT INTO t VALUES ('outer')")
            #expect(throws: Boom.self) {
                try connection.savepoint {
                    try connection.execute("INSERT INTO t VALUES ('inner')")
                    throw Boom()
                }
            }
            try connection.savepoint { try connection.execute("INSERT INTO t VALUES ('kept')") }
        }
        let values = try connection.query("SELECT v FROM t ORDER BY v") { $0.string(at: 0) }
        #expect(values == ["kept", "outer"])
    }

    @Test func aWriteOrDurableWriteInsideATransactionIsAnErrorAndAReadJoinsIt() throws {
        let connection = try makeConnection()
        try connection.write {
            try connection.execute("INSERT INTO t VALUES ('outer')")
            for nested in [{ try connection.write {} }, { try connection.durableWrite {} }] {
                do {
                    try nested()
                    Issue.record("a nested write was allowed")
                } catch let error as SQLiteError {
                    #expect(error.resultCode == .SQLITE_MISUSE)
                    #expect(error.message.contains("use a savepoint"))
                }
            }
            #expect(try connection.read { try count(connection) } == 1, "the read sees the open write's work")
        }
        #expect(try count(connection) == 1, "the refusals did not undo the outer work")
    }

    @Test func deferredSecondaryIndexesAreBuiltAgainFromTheirOwnSQLAndRestoredOnFailure() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        try connection.executeScript(
            """
            CREATE TABLE p (id INTEGER PRIMARY KEY, email TEXT UNIQUE, v TEXT);
            CREATE INDEX p_by_v ON p (v) WHERE v IS NOT NULL;
            CREATE INDEX "p by id, v" ON p (id, v);
            """)
        let schema = { try connection.query("SELECT name, sql FROM sqlite_schema ORDER BY name") { "\($0.string(at: 0)):\($0.string(at: 1))" } }
        let before = try schema()
        try connection.write {
            try connection.withSecondaryIndexesDeferred(on: ["p"]) {
                let indexes = try connection.query("SELECT name FROM sqlite_schema WHERE type = 'index'") { $0.string(at: 0) }
                #expect(indexes == ["sqlite_autoindex_p_1"], "only the UNIQUE constraint's index stays")
                for index in 0..<100 { try connection.execute("INSERT INTO p (email, v) VALUES (?, ?)", "u\(index)", "v\(index % 7)") }
            }
        }
        #expect(try schema() == before)
        #expect(try connection.queryFirst("SELECT count(*) FROM p INDEXED BY p_by_v WHERE v = 'v3'") { $0.int64(at: 0) } == 14)

        #expect(throws: Boom.self) {
            try connection.write { try connection.withSecondaryIndexesDeferred(on: ["p"]) { throw Boom() } }
        }
        #expect(try schema() == before)
        #expect(throws: SQLiteError.self) { try connection.withSecondaryIndexesDeferred(on: ["p"]) {} }
    }

    @Test func innerSavepointIsUndoneWhenTheOuterTransactionThrows() throws {
        let connection = try makeConnection()
        #expect(throws: Boom.self) {
            try connection.write {
                try connection.savepoint { try connection.execute("INSERT INTO t VALUES ('inner')") }
                throw Boom()
            }
        }
        #expect(try count(connection) == 0)
    }

    @Test func readTransactionSeesOneSnapshot() throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/snap.db"
            let reader = try SQLiteConnection(path: path)
            let writer = try SQLiteConnection(path: path)
            try writer.execute("CREATE TABLE t (v TEXT)")
            try reader.read {
                #expect(try count(reader) == 0)
                try writer.write { try writer.execute("INSERT INTO t VALUES ('x')") }
                #expect(try count(reader) == 0, "a read transaction keeps its snapshot")
            }
            #expect(try count(reader) == 1)
        }
    }

    @Test func durableWriteSyncsFullyThenRestoresTheLevel() throws {
        try withTemporaryDirectory { folder in
            let connection = try SQLiteConnection(path: folder + "/durable.db")
            try connection.execute("CREATE TABLE t (v TEXT)")
            let level = { try connection.queryFirst("PRAGMA synchronous") { $0.int64(at: 0) } }
            #expect(try level() == 1)  // NORMAL
            let inside = try connection.durableWrite {
                try connection.execute("INSERT INTO t VALUES ('kept')")
                return try level()
            }
            #expect(inside == 2)  // FULL for this transaction's commit
            #expect(try level() == 1)
            #expect(throws: Boom.self) { try connection.durableWrite { throw Boom() } }
            #expect(try level() == 1, "restored after a failed transaction too")
            #expect(try count(connection) == 1)
        }
    }

    @Test func secondWriterWaitsForTheFirstWithinItsBusyTimeout() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/busy.db"
            let holder = try SQLiteConnection(path: path)
            try holder.execute("CREATE TABLE t (v TEXT)")
            try holder.execute("BEGIN IMMEDIATE")
            try holder.execute("INSERT INTO t VALUES ('first')")
            let outcome = Mutex<Result<Duration, SQLiteError>?>(nil)
            let started = ThreadSignal()
            // The waiter runs on a thread of its own: a connection belongs to one thread.
            async let finished: Void = onOwnThread {
                do {
                    var configuration = SQLiteConfiguration()
                    // Far longer than the wait needs: under a loaded CI the test's own sleep can
                    // resume seconds late, and the waiter must still be waiting when it does.
                    configuration.busyTimeout = .seconds(600)
                    let waiter = try SQLiteConnection(path: path, configuration: configuration)
                    started.signal()
                    let elapsed = try ContinuousClock().measure {
                        try waiter.write { try waiter.execute("INSERT INTO t VALUES ('second')") }
                    }
                    outcome.withLock { $0 = .success(elapsed) }
                } catch {
                    started.signal()
                    outcome.withLock { $0 = .failure(error as! SQLiteError) }
                }
            }
            await started.wait()
            // No event says "now blocked inside SQLite": a moment lets the waiter reach the lock.
            // Whether it did or not, it cannot finish before the commit, which is what is proved.
            try await Task.sleep(for: .milliseconds(300))
            #expect(outcome.withLock { $0 == nil }, "the second writer cannot finish while the first holds the lock")
            try holder.execute("COMMIT")
            await finished
            let result = try #require(outcome.withLock { $0 })
            _ = try result.get()
            #expect(try count(holder) == 2, "it wrote once the first committed, instead of failing busy")
        }
    }

    @Test func secondWriterGetsBusyPastItsTimeout() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/busy.db"
            let holder = try SQLiteConnection(path: path)
            try holder.execute("CREATE TABLE t (v TEXT)")
            try holder.execute("BEGIN IMMEDIATE")
            let outcome = Mutex<SQLiteError?>(nil)
            await onOwnThread {
                do {
                    var configuration = SQLiteConfiguration()
                    configuration.busyTimeout = .milliseconds(100)
                    let waiter = try SQLiteConnection(path: path, configuration: configuration)
                    try waiter.write { try waiter.execute("INSERT INTO t VALUES ('second')") }
                } catch {
                    outcome.withLock { $0 = error as? SQLiteError }
                }
            }
            try holder.execute("ROLLBACK")
            let error = try #require(outcome.withLock { $0 })
            #expect(error.isBusy)
            #expect(error.sql == "BEGIN IMMEDIATE")
        }
    }
}
