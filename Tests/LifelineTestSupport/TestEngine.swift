import Foundation
import LifelinePostgres
@testable import LifelineService
import LifelineStore

/// The two engines the behaviour tests run on: each test takes one as its argument, so one test
/// body checks a rule on both (parameterised, not copied). A test that would pass on only one
/// engine is a finding, not a skip.
public enum TestEngine: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// Settings for a new, empty database of this engine: a file in `folder` for SQLite, a new
    /// database on the tests' own server for PostgreSQL.
    public func newDatabase(in folder: String) throws -> DatabaseSettings {
        switch self {
        case .sqlite: DatabaseSettings(path: folder + "/lifeline.db")
        case .postgres: DatabaseSettings(location: .postgres(try Self.newPostgresDatabase()))
        }
    }

    /// Runs `body` on a new database of this engine, migrated to the binary's schema, then removes it.
    public func withMigratedConnection<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try withMigratedSettings { settings in
            let connection = try settings.open(createIfMissing: false)
            defer { connection.close() }
            return try body(connection)
        }
    }

    /// Runs `body` with the settings of a new database of this engine, migrated by the service
    /// (schema and number rule), then removes it.
    public func withMigratedSettings<T>(_ body: (DatabaseSettings) throws -> T) throws -> T {
        try withTemporaryDirectory { folder in
            let settings = try newDatabase(in: folder)
            _ = try DatabaseMaintenance(LifelineEnvironment(database: settings, secret: .notNamed)).migrate(backup: false)
            return try body(settings)
        }
    }

    /// A new, empty database on the tests' PostgreSQL server.
    public static func newPostgresDatabase() throws -> PostgresLocation {
        try PostgresLocation(url: try PostgresTestServer.shared.get().makeDatabase(), environment: [:])
    }
}

extension DatabaseSettings {
    /// A connection of its own to this database, for a test to arrange things or look inside.
    public func testConnection() throws -> any SQLConnection {
        try open(createIfMissing: false)
    }
}
