import Foundation
import LifelineTestSupport
import Testing

/// Two `lifeline serve` processes on one PostgreSQL database behave as one: a scheduled event
/// starts once, and its alerts are claimed by both dispatchers and each sent once.
@Suite struct SeveralServersTests {
    private static let recipients = 1_500

    /// Shared by the servers of one database: a database several servers share needs a secret
    /// they share.
    private static let secret = String(repeating: "5e", count: 32)

    /// A migrated database of `recipients` opted-in staff and an event due already (each
    /// server's schedule finds it on its first pass, at the same moment); returns the event's id.
    private func prepare(_ database: [String], folder: String) async throws -> String {
        let shared: [String: String?] = ["LIFELINE_SECRET": Self.secret]
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
        let created = try await LifelineProcess.run(
            database + [
                "events", "create", "--name", "Mail outage", "--group", "Staff", "--start-message", "Email is down",
                "--end-message", "Email is back", "--starts-at", "2026-01-01T00:00:00Z",
            ], environment: shared)
        let id = created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(created.status == 0 && Int(id) != nil, "\(created.standardError)")
        return id
    }

    /// Starts servers `a` and `b`, each paced at 300 messages a second, so that both are still
    /// sending when the other claims: neither can drain the queue alone before the other starts.
    private func startServers(_ database: [String], folder: String, options: [String] = []) async throws -> [Server] {
        var servers: [Server] = []
        for name in ["a", "b"] {
            let home = folder + "/" + name
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
            let (process, exited, _) = try await LifelineProcess.serve(
                database + ["serve", "--listen", "127.0.0.1:0", "--gateway", "file", "--gateway-rate", "file=300"] + options,
                folder: home, environment: ["LIFELINE_SECRET": Self.secret, "LIFELINE_OUTBOX_FILE": home + "/sent.jsonl"])
            servers.append(Server(process: process, exited: exited, home: home))
        }
        return servers
    }

    private struct Server {
        let process: Process
        let exited: ProcessExit
        let home: String

        /// The idempotency keys of the start alerts this server handed to its gateway.
        func sentKeys() throws -> [String] {
            let lines = ((try? String(contentsOfFile: home + "/sent.jsonl", encoding: .utf8)) ?? "").split(separator: "\n")
            return try lines.map { line -> [String: Any] in
                try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            }.filter { $0["kind"] as? String == "event_start" }.compactMap { $0["idempotency_key"] as? String }
        }

        func errorLines() throws -> [Substring] {
            try String(contentsOfFile: home + "/serve.log", encoding: .utf8).split(separator: "\n").filter { $0.contains("\"level\":\"error\"") }
        }
    }

    /// Waits until the event's start alerts are all out of the queue. The database is another
    /// process's state with no event to await: polled.
    private func waitUntilSent(_ database: [String], event id: String) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(120)
        var shown: [String: Any] = [:]
        repeat {
            try await Task.sleep(for: .milliseconds(250))
            let result = try await LifelineProcess.run(
                database + ["events", "show", id, "--format", "json"], environment: ["LIFELINE_SECRET": Self.secret])
            shown = (try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]) ?? [:]
        } while (shown["start_sent"] as? Int ?? 0) < Self.recipients && Date() < deadline
        return shown
    }

    @Test(.timeLimit(.minutes(3)))
    func twoServersStartAScheduledEventOnceAndSendEachAlertOnce() async throws {
        let database = ["--database", try PostgresTestServer.shared.get().makeDatabase()]
        try await withTemporaryDirectory { folder in
            let id = try await prepare(database, folder: folder)
            let servers = try await startServers(database, folder: folder)
            defer { for server in servers where server.process.isRunning { server.process.terminate() } }
            let shown = try await waitUntilSent(database, event: id)
            #expect(shown["state"] as? String == "active")
            #expect(shown["start_sent"] as? Int == Self.recipients, "\(shown)")

            var keys: [String] = []
            var sentBy: [Int] = []
            for server in servers {
                kill(server.process.processIdentifier, SIGTERM)
                #expect(await server.exited.status() == 0)
                let sent = try server.sentKeys()
                sentBy.append(sent.count)
                keys += sent
            }
            #expect(keys.count == Self.recipients, "every alert sent, and once: \(sentBy)")
            #expect(Set(keys).count == keys.count, "no idempotency key sent twice")
            #expect(sentBy.allSatisfy { $0 > 0 }, "both dispatchers sent: \(sentBy)")
            for server in servers {
                let errors = try server.errorLines()
                #expect(errors.isEmpty, "\(errors.prefix(5))")
            }
        }
    }

    /// One server is killed outright (kill -9) while both send: the other sends everything
    /// left, including what the killed one had claimed and not finished, once its lease ran
    /// out. A message the killed server handed to its gateway but did not live to record may
    /// go out again, under the same idempotency key, which the provider uses to send it once.
    @Test(.timeLimit(.minutes(3)))
    func whenOneServerIsKilledTheOtherSendsWhatItLeft() async throws {
        let database = ["--database", try PostgresTestServer.shared.get().makeDatabase()]
        try await withTemporaryDirectory { folder in
            let id = try await prepare(database, folder: folder)
            let servers = try await startServers(database, folder: folder, options: ["--lease-seconds", "2"])
            defer { for server in servers where server.process.isRunning { server.process.terminate() } }
            let (killed, survivor) = (servers[0], servers[1])
            // Killed once it has sent some, so it dies with a batch claimed.
            while try killed.sentKeys().count < 100 {
                try await Task.sleep(for: .milliseconds(50))
            }
            kill(killed.process.processIdentifier, SIGKILL)
            _ = await killed.exited.status()

            let shown = try await waitUntilSent(database, event: id)
            #expect(shown["start_sent"] as? Int == Self.recipients, "\(shown)")
            let keys = try killed.sentKeys() + survivor.sentKeys()
            #expect(Set(keys).count == Self.recipients, "every alert reached a gateway")
            #expect(try survivor.sentKeys().count >= Self.recipients - (try killed.sentKeys().count), "the survivor sent what was left")
            kill(survivor.process.processIdentifier, SIGTERM)
            #expect(await survivor.exited.status() == 0)
            let errors = try survivor.errorLines()
            #expect(errors.isEmpty, "\(errors.prefix(5))")
        }
    }
}
