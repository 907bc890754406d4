// lifeline-bench: the Swift side of scripts/bench. Each case times one piece of Lifeline's code
// on a database the script prepared; the script runs the C baseline on an identical copy in the
// same run and prints the ratio.
//
// Usage: lifeline-bench insert-users DATABASE ROWS
import Foundation
import LifelineStore

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("lifeline-bench: \(message)\n".utf8))
    exit(64)
}

/// Inserts `rows` users through the wrapper: one cached prepared statement, one transaction.
func insertUsers(database: String, rows: Int) throws -> Duration {
    var configuration = SQLiteConfiguration()
    configuration.createIfMissing = false
    let connection = try SQLiteConnection(path: database, configuration: configuration)
    defer { connection.close() }
    let clock = ContinuousClock()
    return try clock.measure {
        try connection.write {
            let statement = try connection.cachedStatement(
                "INSERT INTO users (email, display_name, status, created_at, updated_at) VALUES (?, ?, 'active', ?, ?)")
            let createdAt = Int64(1_767_225_600_000)
            for index in 0..<rows {
                try statement.bind(text: "user\(index)@example.com", at: 1)
                try statement.bind(text: "User \(index)", at: 2)
                try statement.bind(int64: createdAt + Int64(index), at: 3)
                try statement.bind(int64: createdAt + Int64(index), at: 4)
                try statement.run()
            }
        }
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "insert-users":
        guard arguments.count == 3, let rows = Int(arguments[2]) else { fail("usage: insert-users DATABASE ROWS") }
        let elapsed = try insertUsers(database: arguments[1], rows: rows)
        print(String(format: "%.3f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
    default:
        fail("usage: lifeline-bench insert-users DATABASE ROWS")
    }
} catch {
    fail("\(error)")
}
