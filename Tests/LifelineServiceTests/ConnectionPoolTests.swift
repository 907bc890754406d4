import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

/// The server's kept connections: reused, never with a transaction left open, and never
/// past a schema change or a file put in the database's place.
struct ConnectionPoolTests {
    private func pooled(_ folder: String) throws -> Database {
        Database(try DirectoryFixture(folder: folder, engine: .sqlite).settings, pool: ConnectionPool(capacity: 2))
    }

    /// Marks the connection it is given with a temporary table (which only that connection sees).
    private func mark(_ settings: Database) throws {
        try settings.withCurrentConnection { try $0.execute("CREATE TEMP TABLE marker (x)") }
    }

    /// Whether the connection it is given is the marked one.
    private func isMarked(_ settings: Database) throws -> Bool {
        try settings.withCurrentConnection {
            try $0.queryFirst("SELECT count(*) FROM temp.sqlite_master WHERE name = 'marker'") { $0.int64(at: 0) } == 1
        }
    }

    @Test func aConnectionIsKeptAndReused() throws {
        try withTemporaryDirectory { folder in
            let settings = try pooled(folder)
            try mark(settings)
            #expect(settings.pool?.idleCount == 1)
            #expect(try isMarked(settings))
        }
    }

    @Test func aConnectionLeftInATransactionIsClosedNotKept() throws {
        try withTemporaryDirectory { folder in
            let settings = try pooled(folder)
            try settings.withCurrentConnection { try $0.execute("BEGIN") }
            #expect(settings.pool?.idleCount == 0)
            // The next caller gets a connection with no transaction of another's on it.
            #expect(try settings.withCurrentConnection { $0.isAutocommit })
        }
    }

    @Test func aSchemaChangeRetiresKeptConnections() throws {
        try withTemporaryDirectory { folder in
            let settings = try pooled(folder)
            try mark(settings)
            let other = try SQLiteConnection(path: settings.path)
            try other.execute("CREATE TABLE later_migration (id INTEGER PRIMARY KEY)")
            other.close()
            #expect(try !isMarked(settings))
        }
    }

    @Test func aFileRestoredOverTheDatabaseRetiresKeptConnections() throws {
        try withTemporaryDirectory { folder in
            let settings = try pooled(folder)
            try mark(settings)
            try FileManager.default.copyItem(atPath: settings.path, toPath: folder + "/restored.db")
            try FileManager.default.removeItem(atPath: settings.path)
            try FileManager.default.moveItem(atPath: folder + "/restored.db", toPath: settings.path)
            #expect(try !isMarked(settings))
        }
    }

    @Test func noMoreThanTheCapacityIsKept() async throws {
        try await withTemporaryDirectory { folder in
            let settings = try pooled(folder)
            // Four callers at once each need a connection; two are kept afterwards.
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        await onOwnThread { _ = try? settings.withCurrentConnection { _ in usleep(50_000) } }
                    }
                }
            }
            #expect(settings.pool?.idleCount == 2)
        }
    }

    @Test func aFullPoolRefusesAfterItsWaitInsteadOfQueueingForEver() throws {
        try withTemporaryDirectory { folder in
            let pool = ConnectionPool(capacity: 1, limit: 1, waitLimit: .milliseconds(200))
            let database = Database(try DirectoryFixture(folder: folder, engine: .sqlite).settings, pool: pool)
            let held = try database.hold()
            let started = ContinuousClock.now
            do {
                _ = try database.hold()
                Issue.record("a second connection was handed out past the limit of one")
            } catch let failure as DatabaseFailure {
                #expect(failure.kind == .busy)
                #expect(failure.message.contains("all 1 database connections stayed in use for 200 ms"))
            }
            #expect(ContinuousClock.now - started >= .milliseconds(200))
            // Given back, the one connection serves the next caller at once.
            held.release()
            try database.withCurrentConnection { _ in }
            #expect(pool.idleCount == 1)
        }
    }

    /// A held connection dropped without release (a work lane stopped under it) gives its
    /// permit back, so the pool is not left short, nor dropped with a permit out.
    @Test func aHeldConnectionForgottenWithoutReleaseGivesItsPermitBack() throws {
        try withTemporaryDirectory { folder in
            let pool = ConnectionPool(capacity: 1, limit: 1, waitLimit: .milliseconds(200))
            let database = Database(try DirectoryFixture(folder: folder, engine: .sqlite).settings, pool: pool)
            do {
                let forgotten = try database.hold()
                _ = forgotten.connection
            }
            try database.withCurrentConnection { _ in }
            #expect(pool.idleCount == 1)
        }
    }
}
