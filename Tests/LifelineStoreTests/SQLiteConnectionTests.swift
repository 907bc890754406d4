import Foundation
import LifelineTestSupport
import Testing

@testable import LifelineStore

struct SQLiteConnectionTests {
    @Test func createsMissingFileOwnerOnlyInWALWithForeignKeys() throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/new.db"
            let connection = try SQLiteConnection(path: path)
            defer { connection.close() }
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
            #expect(mode?.uint16Value == 0o600)
            #expect(try connection.queryFirst("PRAGMA journal_mode") { $0.string(at: 0) } == "wal")
            #expect(try connection.queryFirst("PRAGMA foreign_keys") { $0.int64(at: 0) } == 1)
            #expect(try connection.queryFirst("PRAGMA busy_timeout") { $0.int64(at: 0) } == 5000)
            #expect(try connection.queryFirst("PRAGMA synchronous") { $0.int64(at: 0) } == 1)  // NORMAL
            #expect(try connection.queryFirst("PRAGMA cache_size") { $0.int64(at: 0) } == -16384)
        }
    }

    @Test func appliesConfiguredTimeoutSynchronousAndCache() throws {
        try withTemporaryDirectory { folder in
            var configuration = SQLiteConfiguration()
            configuration.busyTimeout = .milliseconds(250)
            configuration.synchronous = .full
            configuration.cacheSizeKiB = 65536
            let connection = try SQLiteConnection(path: folder + "/c.db", configuration: configuration)
            #expect(try connection.queryFirst("PRAGMA busy_timeout") { $0.int64(at: 0) } == 250)
            #expect(try connection.queryFirst("PRAGMA synchronous") { $0.int64(at: 0) } == 2)  // FULL
            #expect(try connection.queryFirst("PRAGMA cache_size") { $0.int64(at: 0) } == -65536)
        }
    }

    @Test func doesNotCreateWhenToldNot() throws {
        try withTemporaryDirectory { folder in
            var configuration = SQLiteConfiguration()
            configuration.createIfMissing = false
            #expect(throws: SQLiteError.self) {
                _ = try SQLiteConnection(path: folder + "/absent.db", configuration: configuration)
            }
            #expect(!FileManager.default.fileExists(atPath: folder + "/absent.db"))
        }
    }

    @Test func missingFolderIsCantOpenNamingTheFolder() throws {
        do {
            _ = try SQLiteConnection(path: "/nonexistent-lifeline-folder/x.db")
            Issue.record("opening in a missing folder succeeded")
        } catch let error as SQLiteError {
            #expect(SQLiteResultCode.SQLITE_CANTOPEN ~= error.resultCode)
            #expect(error.message.contains("/nonexistent-lifeline-folder"))
        }
    }

    @Test func fileThatIsNotADatabaseIsReportedAsSuch() throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/notes.txt"
            try Data(String(repeating: "not a database at all\n", count: 100).utf8).write(to: URL(fileURLWithPath: path))
            do {
                _ = try SQLiteConnection(path: path)
                Issue.record("opening a text file succeeded")
            } catch let error as SQLiteError {
                #expect(error.isNotADatabase)
            }
        }
    }

    @Test func doubleQuotedStringLiteralsAreRejected() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        try connection.execute("CREATE TABLE t (a TEXT)")
        #expect(throws: SQLiteError.self) { try connection.execute("INSERT INTO t VALUES (\"oops\")") }
    }

    @Test func defensiveModeRefusesWritableSchema() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        try connection.execute("PRAGMA writable_schema = ON")
        #expect(throws: SQLiteError.self) {
            try connection.executeScript("CREATE TABLE t (a); UPDATE sqlite_schema SET sql = 'x' WHERE name = 't'")
        }
    }

    @Test func uniqueViolationCarriesCodeAndSQLButNotTheValues() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        try connection.execute("CREATE TABLE people (email TEXT UNIQUE)")
        let secret = "private.person@example.com"
        try connection.execute("INSERT INTO people (email) VALUES (?)", secret)
        do {
            try connection.execute("INSERT INTO people (email) VALUES (?)", secret)
            Issue.record("duplicate insert succeeded")
        } catch SQLiteResultCode.SQLITE_CONSTRAINT_UNIQUE {
            // The pattern form matches the extended code.
        } catch {
            Issue.record("unexpected error \(error)")
        }
        do {
            try connection.execute("INSERT INTO people (email) VALUES (?)", secret)
        } catch let error as SQLiteError {
            #expect(error.resultCode == .SQLITE_CONSTRAINT_UNIQUE)
            #expect(SQLiteResultCode.SQLITE_CONSTRAINT ~= error.resultCode)
            #expect(error.isConstraintViolation)
            #expect(error.sql == "INSERT INTO people (email) VALUES (?)")
            #expect(!error.description.contains(secret))
            #expect(!error.message.contains(secret))
        }
    }

    @Test func scriptErrorNamesTheFailingStatement() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        do {
            try connection.executeScript("CREATE TABLE a (x);\nINSERT INTO missing VALUES (1);\nCREATE TABLE b (y);")
            Issue.record("script with an error succeeded")
        } catch let error as SQLiteError {
            #expect(error.sql == "INSERT INTO missing VALUES (1);")
            #expect(error.message.contains("no such table"))
        }
    }

    @Test func streamsRowsAndAllowsTheSameQueryNested() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        try connection.execute("CREATE TABLE n (v INTEGER)")
        try connection.write {
            for value in 1...1000 { try connection.execute("INSERT INTO n VALUES (?)", Int64(value)) }
        }
        var sum: Int64 = 0
        var nestedCount = 0
        try connection.forEachRow("SELECT v FROM n WHERE v <= ?", Int64(1000)) { row in
            sum += row.int64(at: 0)
            if row.int64(at: 0) == 500 {
                // The same SQL while the outer statement is mid-iteration gets its own statement.
                try connection.forEachRow("SELECT v FROM n WHERE v <= ?", Int64(3)) { _ in nestedCount += 1 }
            }
        }
        #expect(sum == 500_500)
        #expect(nestedCount == 3)
    }

    @Test func cachedStatementIsReusedAndResetBetweenUses() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        let first = try connection.cachedStatement("SELECT ?")
        let second = try connection.cachedStatement("SELECT ?")
        #expect(first === second)
        #expect(try connection.queryFirst("SELECT ?", "a") { $0.string(at: 0) } == "a")
        #expect(try connection.queryFirst("SELECT ?", "b") { $0.string(at: 0) } == "b")
    }

    @Test func closeIsIdempotentAndLaterUseIsAnError() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        _ = try connection.cachedStatement("SELECT 1")
        connection.close()
        connection.close()
        #expect(throws: SQLiteError.self) { try connection.execute("SELECT 1") }
    }

    @Test func statementOutlivingItsClosedConnectionIsSafe() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        let statement = try connection.prepare("SELECT 42")
        connection.close()
        // close_v2 keeps the handle alive until this last statement is finalized.
        #expect(try statement.first { $0.int64(at: 0) } == 42)
    }
}
