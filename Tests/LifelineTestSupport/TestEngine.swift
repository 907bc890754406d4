import Foundation
import LifelinePostgres
@testable import LifelineService
import LifelineStore
import LifelineTestSupport
import Testing

/// The two engines the store's behaviour tests run on: each test takes one as its argument,
/// so one test body checks a rule on both (parameterised, not copied).
enum TestEngine: String, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// Runs `body` on a new database of this engine, migrated to the binary's schema, then removes it.
    func withMigratedConnection<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try withMigratedSettings { settings in
            let connection = try settings.open(createIfMissing: false)
            defer { connection.close() }
            return try body(connection)
        }
    }

    /// Runs `body` with the settings of a new database of this engine, migrated by the service
    /// (schema and number rule), then removes it.
    func withMigratedSettings<T>(_ body: (DatabaseSettings) throws -> T) throws -> T {
        let migrate = { (settings: DatabaseSettings) in
            _ = try DatabaseMaintenance(LifelineEnvironment(database: settings, secret: .notNamed)).migrate(backup: false)
        }
        switch self {
        case .sqlite:
            return try withTemporaryDirectory { folder in
                let settings = DatabaseSettings(path: folder + "/lifeline.db")
                try migrate(settings)
                return try body(settings)
            }
        case .postgres:
            let settings = DatabaseSettings(location: .postgres(try Self.newPostgresDatabase()))
            try migrate(settings)
            return try body(settings)
        }
    }

    /// A new, empty database on the tests' PostgreSQL server.
    static func newPostgresDatabase() throws -> PostgresLocation {
        try PostgresLocation(url: try PostgresTestServer.shared.get().makeDatabase(), environment: [:])
    }
}
