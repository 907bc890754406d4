// lifeline-bench: the Swift side of scripts/bench. Each case times one piece of Lifeline's code
// on a database the script prepared; the script runs the baseline on an identical copy in the
// same run and prints the ratio.
//
//   lifeline-bench insert-users DATABASE ROWS     rows through the wrapper, one transaction
//   lifeline-bench seed-consent DATABASE          opts in 60% of users; groups 'Bench-200k' (every 5th) and 'Everyone'
//   lifeline-bench inbound DATABASE COUNT         inbound SMS per second through the service
//   lifeline-bench commit-cost DATABASE COUNT     commits per second at synchronous NORMAL and FULL
//   lifeline-bench codes DATABASE EMAILS          code requests, then verifications, per second (one per email)
//   lifeline-bench seed-codes DATABASE ROWS       ROWS verification requests, half ended two days ago
//   lifeline-bench requester DATABASE EMAILS S    code requests for S seconds: latency p50, p99, max
//   lifeline-bench verdicts FILE                  number verdicts per second, today's and the baseline's
import Foundation
import LifelineService
import LifelineStore

func fail(_ message: String) -> Never {
    FileDescriptorWriter.standardError.writeIgnoringErrors("lifeline-bench: \(message)\n")
    exit(64)
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func open(_ path: String) throws -> SQLiteConnection {
    var configuration = SQLiteConfiguration()
    configuration.createIfMissing = false
    return try SQLiteConnection(path: path, configuration: configuration)
}

/// Inserts `rows` users through the wrapper: one cached prepared statement, one transaction.
func insertUsers(database: String, rows: Int) throws -> Duration {
    let connection = try open(database)
    defer { connection.close() }
    return try ContinuousClock().measure {
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

/// Opts in 60% of the users whose SMS number is in long format (ids ending 0-5 of 10), through
/// the ledger, and puts every fifth user in the group "Bench-200k".
func seedConsent(database: String) throws -> (optedIn: Int, grouped: Int) {
    let connection = try open(database)
    defer { connection.close() }
    let directory = DirectoryStore(connection: connection)
    guard let attribute = try directory.attribute(named: "mobile") else { fail("import a directory with a mobile column first") }
    let ledger = ConsentLedger(connection: connection)
    let writer = try DirectoryWriter(connection: connection)
    let now = Date()
    var optedIn = 0
    var grouped = 0
    try connection.write {
        let groupID = try directory.createGroup(name: "Bench-200k", at: now)
        let everyone = try directory.createGroup(name: "Everyone", at: now)
        var users: [(Int64, String?)] = []
        try directory.forEachActiveUser(withAttribute: attribute.id) { id, _, value in users.append((id, value)) }
        for (id, value) in users {
            try writer.addMembership(groupID: everyone, userID: id, at: now.epochMilliseconds)
            if id % 5 == 0 {
                try writer.addMembership(groupID: groupID, userID: id, at: now.epochMilliseconds)
                grouped += 1
            }
            guard id % 10 < 6, let value, case .valid = PhoneNumberNormalizer().verdict(for: value) else { continue }
            try ledger.append(
                ConsentChange(
                    userID: id, number: value, program: ConsentService.program, state: .optedIn, source: .admin,
                    actor: "bench", evidence: "seeded", at: now))
            optedIn += 1
        }
    }
    return (optedIn, grouped)
}

/// Handles `count` inbound messages (STOP, START, HELP and free text in turn, from opted-in
/// numbers) through one service session; returns messages per second.
func inbound(database: String, count: Int) throws -> Double {
    let connection = try open(database)
    var numbers: [String] = []
    let attribute = try DirectoryStore(connection: connection).attribute(named: "mobile")!
    try ConsentLedger(connection: connection).forEachListing(
        smsAttributeID: attribute.id, program: ConsentService.program, groupID: nil
    ) { listing in
        if numbers.count < count, listing.state == .optedIn, let number = listing.number { numbers.append(number) }
    }
    connection.close()
    let texts = ["STOP", "START", "HELP", "where is my bus?"]
    let session = try ConsentSession(benchEnvironment(DatabaseSettings(path: database)))
    defer { session.close() }
    let elapsed = try ContinuousClock().measure {
        for index in 0..<count {
            _ = try session.handleInbound(from: numbers[index % numbers.count], text: texts[index % texts.count])
        }
    }
    return Double(count) / seconds(elapsed)
}

/// Commits per second of a one-row write at the connection's NORMAL level and with durableWrite.
func commitCost(database: String, count: Int) throws -> (normal: Double, full: Double) {
    let connection = try open(database)
    defer { connection.close() }
    try connection.execute("CREATE TABLE IF NOT EXISTS bench_commits (value INTEGER)")
    let normal = try ContinuousClock().measure {
        for index in 0..<count { try connection.write { try connection.execute("INSERT INTO bench_commits VALUES (?)", index) } }
    }
    let full = try ContinuousClock().measure {
        for index in 0..<count { try connection.durableWrite { try connection.execute("INSERT INTO bench_commits VALUES (?)", index) } }
    }
    return (Double(count) / seconds(normal), Double(count) / seconds(full))
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch (arguments.first, arguments.count) {
    case ("insert-users", 3):
        guard let rows = Int(arguments[2]) else { fail("ROWS must be a number") }
        print(String(format: "%.3f", seconds(try insertUsers(database: arguments[1], rows: rows))))
    case ("seed-consent", 2):
        let seeded = try seedConsent(database: arguments[1])
        print("\(seeded.optedIn) opted in, \(seeded.grouped) in the group 'Bench-200k', everyone in 'Everyone'")
    case ("inbound", 3):
        guard let count = Int(arguments[2]) else { fail("COUNT must be a number") }
        print(String(format: "%.0f", try inbound(database: arguments[1], count: count)))
    case ("commit-cost", 3):
        guard let count = Int(arguments[2]) else { fail("COUNT must be a number") }
        let rates = try commitCost(database: arguments[1], count: count)
        print(String(format: "%.0f %.0f", rates.normal, rates.full))
    case ("codes", 3):
        let rates = try await codesRate(database: arguments[1], emailsFile: arguments[2])
        print(String(format: "%.0f %.0f", rates.requests, rates.verifications))
    case ("seed-codes", 3):
        guard let rows = Int(arguments[2]) else { fail("ROWS must be a number") }
        try seedCodes(database: arguments[1], rows: rows)
    case ("requester", 4):
        guard let duration = Double(arguments[3]) else { fail("SECONDS must be a number") }
        let result = try requester(database: arguments[1], emailsFile: arguments[2], duration: duration)
        print(String(format: "%d requests, p50 %.1f ms, p99 %.1f ms, max %.1f ms", result.count, result.p50, result.p99, result.max))
    case ("verdicts", 2):
        let rates = try verdictRates(file: arguments[1])
        print(String(format: "%.0f %.0f %d", rates.current, rates.baseline, rates.differing))
    default:
        fail(
            "usage: lifeline-bench insert-users DATABASE ROWS | seed-consent DATABASE | inbound DATABASE COUNT | "
                + "commit-cost DATABASE COUNT | codes DATABASE EMAILS | seed-codes DATABASE ROWS | requester DATABASE EMAILS SECONDS"
                + " | verdicts FILE")
    }
} catch {
    fail("\(error)")
}
