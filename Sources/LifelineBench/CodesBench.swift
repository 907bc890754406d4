import Foundation
import LifelineService
import LifelineStore

/// The bench's fixed secret: the benchmark measures the work, not key-file handling.
/// The bench's composition root: a fixed secret, so runs can reopen each other's sealed bodies.
func benchEnvironment(_ database: DatabaseSettings) -> LifelineEnvironment {
    LifelineEnvironment(database: database, secret: .value(Hex.string(Array("lifeline-bench-secret-32-bytes!!".utf8))))
}

/// Requests (each queueing one SMS) and then verifications with the right code per second,
/// through a VerificationSession (one connection, as a portal server keeps), one request per
/// email in `emailsFile`.
func codesRate(database: String, emailsFile: String) async throws -> (requests: Double, verifications: Double) {
    let emails = try String(contentsOfFile: emailsFile, encoding: .utf8).split(separator: "\n").map(String.init)
    let settings = DatabaseSettings(path: database)
    let session = try VerificationService(benchEnvironment(settings)).session()
    defer { session.close() }
    var requestIDs: [String] = []
    let requesting = try ContinuousClock().measure {
        for (index, email) in emails.enumerated() {
            let outcome = try session.request(email: email, purpose: .twoStep, requestID: "bench-\(index)")
            guard outcome.status == .sent else { fail("\(email): \(outcome.status)") }
            requestIDs.append(outcome.requestID)
        }
    }
    // The codes, as the phones get them (not timed).
    let phone = database + ".phone.jsonl"
    _ = try await OutboxDispatcher(benchEnvironment(settings))
        .dispatch(through: FileGateway(path: phone, clock: SystemClock()))
    var codes: [String: String] = [:]
    for line in try String(contentsOfFile: phone, encoding: .utf8).split(separator: "\n") {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        let body = object["body"] as! String
        let start = body.range(of: "code is ")!.upperBound
        codes[object["to"] as! String] = String(body[start...].prefix(while: \.isNumber))
    }
    let numbers = try VerificationStore(connection: try open(database)).connection.query(
        "SELECT request_id, number FROM verification_requests WHERE request_id LIKE 'bench-%'"
    ) { ($0.string(at: 0), $0.string(at: 1)) }
    let numberOf = Dictionary(uniqueKeysWithValues: numbers)
    let verifying = try ContinuousClock().measure {
        for requestID in requestIDs {
            guard let code = codes[numberOf[requestID]!] else { fail("no code for \(requestID)") }
            let check = try session.verify(requestID: requestID, code: code)
            guard check == .approved else { fail("\(requestID): \(check)") }
        }
    }
    return (Double(emails.count) / seconds(requesting), Double(emails.count) / seconds(verifying))
}

/// Fills verification_requests with `rows` requests: half ended two days ago (to purge), half live.
func seedCodes(database: String, rows: Int) throws {
    let connection = try open(database)
    defer { connection.close() }
    let now = Date().epochMilliseconds
    try connection.write {
        try connection.execute(
            """
            WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?1)
            INSERT INTO verification_requests
                (request_id, user_id, email, purpose, status, number, code_hmac, key_id, attempts, created_at,
                 expires_at, closed_at, outbox_id)
            SELECT 'seed-' || x, NULL, 'seed' || x || '@example.com', 'two_step', 'sent', '4477' || (10000000 + x % 9000000),
                   randomblob(32), 'seed', 0, ?2 - 172800000 * (x % 2), ?2 - 172800000 * (x % 2) + 600000,
                   ?2 - 172800000 * (x % 2) + 600000, x
            FROM n
            """, Int64(rows), now)
    }
}

/// Requests codes for the listed emails in turn for `duration` seconds, at most 200 a second
/// (a very busy portal; back to back, SQLite's busy handler would let it starve the purge of
/// the write lock); returns latency percentiles in milliseconds.
func requester(database: String, emailsFile: String, duration: Double) throws -> (count: Int, p50: Double, p99: Double, max: Double) {
    let emails = try String(contentsOfFile: emailsFile, encoding: .utf8).split(separator: "\n").map(String.init)
    let session = try VerificationService(benchEnvironment(DatabaseSettings(path: database, busyTimeout: .seconds(30))))
        .session()
    defer { session.close() }
    var latencies: [Double] = []
    let clock = ContinuousClock()
    let start = clock.now
    let end = start + .seconds(duration)
    var index = 0
    while clock.now < end {
        let due = start + .milliseconds(index * 5)
        if due > clock.now { Thread.sleep(forTimeInterval: Double((due - clock.now).components.attoseconds) / 1e18) }
        let elapsed = try clock.measure {
            _ = try session.request(email: emails[index % emails.count], purpose: .passwordReset, requestID: "live-\(index)")
        }
        latencies.append(seconds(elapsed) * 1000)
        index += 1
    }
    latencies.sort()
    func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
    return (latencies.count, percentile(0.5), percentile(0.99), latencies.last ?? 0)
}
