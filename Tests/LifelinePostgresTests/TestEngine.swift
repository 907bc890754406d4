import Foundation
import LifelinePostgres
import LifelineService
import LifelineStore
import LifelineTestSupport

/// The two engines the store's behaviour tests run on: each test takes one as its argument,
/// so one test body checks a rule on both (parameterised, not copied).
enum TestEngine: String, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// Runs `body` on a new database of this engine, migrated to the binary's schema, then removes it.
    func withMigratedConnection<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        switch self {
        case .sqlite:
            return try withTemporaryDirectory { folder in
                let connection = try SQLiteConnection(path: folder + "/lifeline.db")
                defer { connection.close() }
                try LifelineSchema.makeMigrator().migrate(connection, at: Date(timeIntervalSince1970: 0))
                return try body(connection)
            }
        case .postgres:
            let connection = try PostgresSQLConnection(location: try Self.newPostgresDatabase())
            defer { connection.close() }
            try PostgresSchema.makeMigrator().migrate(connection, at: Date(timeIntervalSince1970: 0))
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

import Testing
