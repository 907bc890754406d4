import Foundation
import LifelinePostgres
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

    /// A new, empty database on the tests' PostgreSQL server.
    static func newPostgresDatabase() throws -> PostgresLocation {
        try PostgresLocation(url: try PostgresTestServer.shared.get().makeDatabase(), environment: [:])
    }
}

import Testing
