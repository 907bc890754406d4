import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

/// The one way a service reaches the database: reads on a connection that refuses writes, writes
/// in one transaction, SQLite's errors translated on every path.
struct DatabaseAccessTests {
    @Test(arguments: TestEngine.allCases) func aReadThatTriesToWriteFailsLoudlyAndChangesNothing(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            try fixture.importCSV("email\nann@example.com\n")
            let settings = Database(fixture.settings)
            #expect(throws: DatabaseFailure.self) {
                try settings.read { try $0.execute("UPDATE users SET display_name = 'changed'") }
            }
            #expect(try settings.read { try DirectoryStore(connection: $0).user(email: "ann@example.com")?.displayName } == nil)
            // With a pool, readers are kept apart from writers: a write after a refused read works.
            let pooled = Database(fixture.settings, pool: ConnectionPool(capacity: 1))
            #expect(throws: DatabaseFailure.self) { try pooled.read { try $0.execute("DELETE FROM users") } }
            try pooled.write { try $0.execute("UPDATE users SET display_name = 'Ann'") }
            #expect(try pooled.read { try DirectoryStore(connection: $0).user(email: "ann@example.com")?.displayName } == "Ann")
        }
    }

    @Test(arguments: TestEngine.allCases) func aWriteIsOneTransaction(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            try fixture.importCSV("email\nann@example.com\n")
            struct Stop: Error {}
            #expect(throws: Stop.self) {
                try fixture.database.write { connection in
                    try connection.execute("UPDATE users SET display_name = 'half'")
                    throw Stop()
                }
            }
            #expect(try fixture.user("ann@example.com")?.displayName == nil, "nothing of a failed write stays")
        }
    }
}
