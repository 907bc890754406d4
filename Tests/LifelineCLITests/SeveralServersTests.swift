import Foundation
import LifelineTestSupport
import Testing

/// Two `lifeline serve` processes on one PostgreSQL database behave as one: a scheduled event
/// starts once, and its alerts are claimed by both dispatchers and each sent once.
@Suite struct SeveralServersTests {
    private static let recipients = 1_500

    @Test(.timeLimit(.minutes(3)))
    func twoServersStartAScheduledEventOnceAndSendEachAlertOnce() async throws {
        let url = try PostgresTestServer.shared.get().makeDatabase()
        let database = ["--database", url]
        // A database several servers share needs a secret they share.
        let shared: [String: String?] = ["LIFELINE_SECRET": String(repeating: "5e", count: 32)]
        try await withTemporaryDirectory { folder in
            var csv = "email,name,mobile,groups\n"
            var emails: [String] = []
            for index in 0..<Self.recipients {
                emails.append("u\(index)@example.com")
                csv += "u\(index)@example.com,User \(index),4477009\(String(format: "%05d", index)),Staff\n"
            }
            try Data(csv.utf8).write(to: URL(fileURLWithPath: folder + "/staff.csv"))
            for arguments in [["migrate"], ["import", "users", folder + "/staff.csv"], ["sms", "attribute", "set", "mobile"]] {
                let result = try await LifelineProcess.run(database + arguments, environment: shared)
                #expect(result.status == 0, "\(arguments): \(result.standardError)")
            }
            let optedIn = try await LifelineProcess.run(
                database + ["optin", "record", "--stdin", "--state", "opted_in", "--evidence", "signed forms"],
                environment: shared, input: Data(emails.joined(separator: "\n").utf8))
            #expect(optedIn.status == 0, "\(optedIn.standardError)")
            // Due already: each server's schedule finds it on its first pass, at the same moment.
            let created = try await LifelineProcess.run(
                database + [
                    "events", "create", "--name", "Mail outage", "--group", "Staff", "--start-message", "Email is down",
                    "--end-message", "Email is back", "--starts-at", "2026-01-01T00:00:00Z",
                ], environment: shared)
            let id = created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(created.status == 0 && Int(id) != nil, "\(created.standardError)")

            // Each paced at 300 messages a second, so that both are still sending when the
            // other claims: neither can drain the queue alone before the other starts.
            var servers: [(Process, ProcessExit, String)] = []
            for name in ["a", "b"] {
                let home = folder + "/" + name
                try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
                let (process, exited, _) = try await LifelineProcess.serve(
                    database + ["serve", "--listen", "127.0.0.1:0", "--gateway", "file", "--gateway-rate", "file=300"],
                    folder: home,
                    environment: ["LIFELINE_SECRET": String(repeating: "5e", count: 32), "LIFELINE_OUTBOX_FILE": home + "/sent.jsonl"])
                servers.append((process, exited, home + "/sent.jsonl"))
            }
            defer { for (process, _, _) in servers where process.isRunning { process.terminate() } }

            // Done when the event's alerts are all out of the queue. The database is another
            // process's state with no event to await: polled.
            let deadline = Date().addingTimeInterval(120)
            var shown: [String: Any] = [:]
            repeat {
                try await Task.sleep(for: .milliseconds(250))
                let result = try await LifelineProcess.run(database + ["events", "show", id, "--format", "json"], environment: shared)
                shown = (try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]) ?? [:]
            } while (shown["start_sent"] as? Int ?? 0) < Self.recipients && Date() < deadline
            #expect(shown["state"] as? String == "active")
            #expect(shown["start_sent"] as? Int == Self.recipients, "\(shown)")

            var keys: [String] = []
            var sentBy: [Int] = []
            for (process, exited, file) in servers {
                kill(process.processIdentifier, SIGTERM)
                #expect(await exited.status() == 0)
                let lines = ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n")
                let sent = try lines.map { line -> [String: Any] in
                    try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                }.filter { $0["kind"] as? String == "event_start" }
                sentBy.append(sent.count)
                keys += sent.compactMap { $0["idempotency_key"] as? String }
            }
            #expect(keys.count == Self.recipients, "every alert sent, and once: \(sentBy)")
            #expect(Set(keys).count == keys.count, "no idempotency key sent twice")
            #expect(sentBy.allSatisfy { $0 > 0 }, "both dispatchers sent: \(sentBy)")
            for (_, _, file) in servers {
                let log = try String(contentsOfFile: (file as NSString).deletingLastPathComponent + "/serve.log", encoding: .utf8)
                #expect(!log.contains("\"level\":\"error\""), "\(log.split(separator: "\n").filter { $0.contains("error") }.prefix(5))")
            }
        }
    }
}
