import Foundation
import LifelineStore
import LifelineTestSupport

@testable import LifelineService

/// A migrated database in a temporary folder, with helpers to import CSV text and look inside.
struct DirectoryFixture {
    let folder: String
    let settings: DatabaseSettings

    init(folder: String) throws {
        self.folder = folder
        settings = DatabaseSettings(path: folder + "/test.db")
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

    func connection() throws -> SQLiteConnection {
        try SQLiteConnection(path: settings.path)
    }

    /// `PRAGMA data_version` as seen from a connection kept open across the change.
    func dataVersion(_ observer: SQLiteConnection) throws -> Int64 {
        try observer.queryFirst("PRAGMA data_version") { $0.int64(at: 0) } ?? -1
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
