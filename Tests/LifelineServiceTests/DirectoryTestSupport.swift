import Foundation
import LifelineStore
import LifelineTestSupport

@testable import LifelineService

/// A migrated database of one engine (files, such as CSV input, go in a temporary folder), with
/// helpers to import CSV text and look inside.
struct DirectoryFixture {
    let folder: String
    let engine: TestEngine
    let settings: DatabaseSettings

    init(folder: String, engine: TestEngine) throws {
        self.folder = folder
        self.engine = engine
        settings = try engine.newDatabase(in: folder)
        _ = try DatabaseMaintenance(.testing(settings)).migrate(backup: false)
    }

    /// Writes `csv` to a file and imports it.
    @discardableResult
    func importCSV(
        _ csv: String, options: ImportOptions = ImportOptions(), at date: Date = Date(epochMilliseconds: 1_000_000)
    ) throws -> ImportSummary {
        try importBytes(Array(csv.utf8), options: options, at: date)
    }

    @discardableResult
    func importBytes(_ bytes: [UInt8], options: ImportOptions = ImportOptions(), at date: Date = Date(epochMilliseconds: 1_000_000)) throws -> ImportSummary {
        let path = folder + "/input-\(UUID().uuidString).csv"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return try DirectoryImporter(.testing(settings, clock: FixedClock(date: date)))
            .importUsers(from: .file(path: path), path: "input.csv", options: options)
    }

    /// The one handle, as the CLI holds it.
    var database: Database { Database(settings) }

    /// A connection of the fixture's engine, for looking inside and arranging what a test needs.
    func connection() throws -> any SQLConnection {
        try settings.testConnection()
    }

    /// A way to tell whether anything at all was written between two looks.
    func writeObserver() throws -> WriteObserver {
        WriteObserver(connection: try connection(), engine: engine)
    }

    /// A second connection that never waits for a lock: a write through it fails at once if
    /// anyone else holds one.
    func impatientConnection() throws -> any SQLConnection {
        switch engine {
        case .sqlite:
            var configuration = SQLiteConfiguration()
            configuration.busyTimeout = .zero
            return try SQLiteConnection(path: settings.path, configuration: configuration)
        case .postgres:
            let connection = try connection()
            try connection.execute("SET lock_timeout = '1ms'")
            return connection
        }
    }

    /// Everything the database holds, by where it is: SQLite's file and its write-ahead log as
    /// bytes on disk; on PostgreSQL every row of every table as text.
    func everythingStored() throws -> [(place: String, bytes: Data)] {
        switch engine {
        case .sqlite:
            return try [settings.path, settings.path + "-wal"].map { ($0, try Data(contentsOf: URL(fileURLWithPath: $0))) }
        case .postgres:
            let connection = try connection()
            let tables = try connection.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename") {
                $0.string(at: 0)
            }
            return try tables.map { table in
                let rows = try connection.query("SELECT t::text FROM \(table) t") { $0.string(at: 0) }
                return (table, Data(rows.joined(separator: "\n").utf8))
            }
        }
    }

    /// Takes what stops every other writer, as another process could, until the returned
    /// connection rolls back: SQLite's write lock; on PostgreSQL every table locked against
    /// writes (reads go on).
    func holdWriteLock() throws -> any SQLConnection {
        let other = try impatientConnection()
        switch engine {
        case .sqlite:
            try other.execute("BEGIN IMMEDIATE")
        case .postgres:
            let tables = try other.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename") {
                $0.string(at: 0)
            }
            try other.execute("BEGIN")
            try other.execute("LOCK TABLE \(tables.joined(separator: ", ")) IN EXCLUSIVE MODE")
        }
        return other
    }

    func user(_ email: String) throws -> UserRecord? {
        try DirectoryStore(connection: try connection()).user(email: email)
    }

    func attributes(of email: String) throws -> [String: String] {
        let connection = try connection()
        let store = DirectoryStore(connection: connection)
        guard let user = try store.user(email: email) else { return [:] }
        return Dictionary(uniqueKeysWithValues: try store.namedAttributeValues(userID: user.id).map { ($0.name, $0.value) })
    }

    func groups(of email: String) throws -> [String] {
        let connection = try connection()
        let store = DirectoryStore(connection: connection)
        guard let user = try store.user(email: email) else { return [] }
        return try store.groupNames(userID: user.id)
    }

    func count(_ table: String) throws -> Int64 {
        try connection().queryFirst("SELECT count(*) FROM \(table)") { $0.int64(at: 0) } ?? -1
    }
}

/// Tells whether anything was written to a database between two marks, as seen from one
/// connection kept open across them.
struct WriteObserver {
    let connection: any SQLConnection
    let engine: TestEngine

    func mark() throws -> String {
        switch engine {
        case .sqlite:
            // Changes whenever another connection commits a write.
            return String(try connection.queryFirst("PRAGMA data_version") { $0.int64(at: 0) } ?? -1)
        case .postgres:
            // Every row version's place and creating transaction: an insert, update (even one
            // that changes nothing) or delete anywhere changes it.
            let tables = try connection.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename") {
                $0.string(at: 0)
            }
            return try tables.map { table in
                try connection.queryFirst(
                    "SELECT coalesce(string_agg(ctid::text || '@' || xmin::text, ',' ORDER BY ctid), '') FROM \(table)"
                ) { table + ":" + $0.string(at: 0) } ?? ""
            }.joined(separator: ";")
        }
    }
}
