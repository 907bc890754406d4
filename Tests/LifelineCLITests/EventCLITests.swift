import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

/// End-to-end tests of continuity events and dispatch through the file gateway, running the built binary.
struct EventCLITests {
    /// A migrated database with `csv` imported, `mobile` as the SMS attribute, and STOP then
    /// START sent from each number in `numbers` (which opts their users in by keyword).
    private func prepared(_ folder: String, csv: String, numbers: [String]) async throws -> [String] {
        let database = ["--database", folder + "/lifeline.db"]
        try Data(csv.utf8).write(to: URL(fileURLWithPath: folder + "/staff.csv"))
        var steps = [["migrate"], ["import", "users", folder + "/staff.csv"], ["sms", "attribute", "set", "mobile"]]
        for number in numbers {
            steps.append(["sms", "inbound", "--from", number, "--text", "STOP"])
            steps.append(["sms", "inbound", "--from", number, "--text", "START"])
        }
        for arguments in steps {
            let result = try await LifelineProcess.run(database + arguments)
            #expect(result.status == 0, "\(arguments): \(result.standardError)")
        }
        // The consent replies are not what these tests are about: send them out of the way.
        _ = try await LifelineProcess.run(database + ["outbox", "dispatch"])
        return database
    }

    private func json(_ result: ProcessResult) async throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any], "\(result)")
    }

    /// The file gateway's lines, decoded.
    private func gatewayLines(_ path: String) async throws -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func createPreviewStartDispatchStopEndAndCount() async throws {
        try await withTemporaryDirectory { folder in
            let csv = """
                email,name,mobile,groups
                ann@example.com,Ann Lee,447700900001,Staff
                bob@example.com,Bob Ray,447700900002,Staff
                cat@example.com,Cat Orr,447700900003,Staff

                """
            let database = try await prepared(folder, csv: csv, numbers: ["447700900001", "447700900002"])
            let outboxFile = folder + "/lifeline.db.outbox.jsonl"
            try? FileManager.default.removeItem(atPath: outboxFile)

            let badPlaceholder = try await LifelineProcess.run(
                database + ["events", "create", "--name", "Mail", "--group", "Staff", "--start-message", "Hi {nmae}", "--end-message", "x"])
            #expect(badPlaceholder.status == 65 && badPlaceholder.standardError.contains("{nmae}"))

            let created = try await LifelineProcess.run(
                database + [
                    "events", "create", "--name", "Mail outage", "--group", "Staff", "--kind", "unplanned",
                    "--start-message", "{name}: email is down ({event}). Use Teams.", "--end-message", "{event} is over.",
                    "--starts-at", "2026-12-01T08:00:00Z", "--notes", "exchange cluster",
                ])
            #expect(created.status == 0, "\(created.standardError)")
            let id = created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(Int(id) != nil)

            let preview = try await json(try await LifelineProcess.run(database + ["events", "preview", id, "--format", "json"]))
            #expect(preview["recipients"] as? Int == 2 && preview["skipped_not_opted_in"] as? Int == 1)
            #expect(preview["start_encoding"] as? String == "GSM-7" && preview["start_segments"] as? Int == 1)

            let endDraft = try await LifelineProcess.run(database + ["events", "end", id])
            #expect(endDraft.status == 64 && endDraft.standardError.contains("is draft: it cannot be ended"))

            let start = try await LifelineProcess.run(database + ["events", "start", id])
            #expect(start.standardOutput.hasPrefix("event \(id) started: 2 alert(s) queued"))
            let again = try await LifelineProcess.run(database + ["events", "start", id])
            #expect(again.status == 0 && again.standardOutput.contains("already active: nothing more was queued"))

            let dispatched = try await json(try await LifelineProcess.run(database + ["outbox", "dispatch", "--format", "json"]))
            #expect(dispatched["sent"] as? Int == 2)
            let startLines = try await gatewayLines(outboxFile)
            #expect(startLines.map { $0["to"] as? String } == ["447700900001", "447700900002"])
            #expect(startLines.first?["body"] as? String == "Ann Lee: email is down (Mail outage). Use Teams.")
            #expect(startLines.allSatisfy { ($0["idempotency_key"] as? String) == "lifeline-\($0["id"] as? Int ?? -1)" })

            _ = try await LifelineProcess.run(database + ["sms", "inbound", "--from", "447700900002", "--text", "Stop"])
            let end = try await LifelineProcess.run(database + ["events", "end", id])
            #expect(end.standardOutput.hasPrefix("event \(id) ended: 1 alert(s) queued"))
            _ = try await LifelineProcess.run(database + ["outbox", "dispatch"])
            let endLines = try await gatewayLines(outboxFile).filter { $0["kind"] as? String == "event_end" }
            #expect(endLines.map { $0["to"] as? String } == ["447700900001"])

            let providerID = try #require(startLines.first?["idempotency_key"] as? String)
            let receipt = try await LifelineProcess.run(database + ["outbox", "receipt", providerID, "--status", "delivered"])
            #expect(receipt.status == 0 && receipt.standardOutput.hasSuffix("is now delivered\n"))
            let unknown = try await LifelineProcess.run(database + ["outbox", "receipt", "nope-1", "--status", "delivered"])
            #expect(unknown.status == 66)

            let shown = try await json(try await LifelineProcess.run(database + ["events", "show", id, "--format", "json"]))
            #expect(shown["state"] as? String == "ended" && shown["notes"] as? String == "exchange cluster")
            #expect(shown["start_delivered"] as? Int == 1 && shown["start_sent"] as? Int == 1 && shown["end_sent"] as? Int == 1)
            let listed = try await LifelineProcess.run(database + ["outbox", "list", "--event", id, "--format", "csv"])
            #expect(listed.standardOutput.split(separator: "\r\n").count == 4)
            let events = try await LifelineProcess.run(database + ["events", "list", "--state", "ended", "--format", "csv"])
            #expect(events.standardOutput.contains("\(id),Mail outage,Staff,unplanned,ended,"))
        }
    }

    @Test func previewWarnsAboveThreeSMSPartsAndCountsThemByEncoding() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await prepared(folder, csv: "email,name,mobile,groups\nann@example.com,Ann,447700900001,Staff\n", numbers: ["447700900001"])
            let long = String(repeating: "Email is down; use the phone bridge. ", count: 14)  // 518 GSM-7 characters
            let id = try await LifelineProcess.run(
                database + ["events", "create", "--name", "Long", "--group", "Staff", "--start-message", long, "--end-message", "Over €"]
            ).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            let preview = try await LifelineProcess.run(database + ["events", "preview", id, "--format", "json"])
            let fields = try await json(preview)
            #expect(fields["start_encoding"] as? String == "GSM-7" && fields["start_segments"] as? Int == 4)
            #expect(fields["end_encoding"] as? String == "GSM-7" && fields["end_units"] as? Int == 7, "€ counts twice")
            #expect(preview.standardError.contains("warning: the start message takes 4 SMS parts"))
            #expect(!preview.standardError.contains("the end message"))
        }
    }

    @Test func aKilledDispatcherLeavesTheRestToBeSentOnceByTheNextRun() async throws {
        try await withTemporaryDirectory { folder in
            // 200 users share one number, so one STOP and one START opt them all in.
            var csv = "email,name,mobile,groups\n"
            for index in 0..<200 { csv += "u\(index)@example.com,User \(index),447700900555,Everyone\n" }
            let database = try await prepared(folder, csv: csv, numbers: ["447700900555"])
            let outboxFile = folder + "/lifeline.db.outbox.jsonl"
            try? FileManager.default.removeItem(atPath: outboxFile)
            let id = try await LifelineProcess.run(
                database + ["events", "create", "--name", "Outage", "--group", "Everyone", "--start-message", "Down", "--end-message", "Up"]
            ).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try await LifelineProcess.run(database + ["events", "start", id]).status == 0)

            let (process, exited) = try LifelineProcess.start(
                database + ["outbox", "dispatch", "--rate", "40", "--lease-seconds", "1"])
            let deadline = Date().addingTimeInterval(20)
            // A paced batch is a second's worth (40): once 60 lines are out, the first is recorded.
            while try await gatewayLines(outboxFile).count < 60 && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            kill(process.processIdentifier, SIGKILL)
            _ = await exited.status()

            let connection = try SQLiteConnection(path: folder + "/lifeline.db")
            defer { connection.close() }
            let sentBefore = Set(try connection.query("SELECT id FROM outbox WHERE event_id = ? AND status = 'sent'", Int64(id)!) { $0.int64(at: 0) })
            let linesBefore = try await gatewayLines(outboxFile).count
            #expect(sentBefore.count >= 10 && sentBefore.count < 200, "killed mid-run: \(sentBefore.count) sent")

            // The killed run's lease ends when the database says: wait for that instant, no longer.
            let leaseEnd = try connection.queryFirst("SELECT max(next_attempt_at) FROM outbox WHERE status = 'sending'") { row in
                row.isNull(at: 0) ? Int64?.none : row.int64(at: 0)
            }
            if let leaseEnd = leaseEnd ?? nil {
                let remaining = Double(leaseEnd) / 1000 - Date().timeIntervalSince1970
                if remaining > 0 { try await Task.sleep(for: .milliseconds(Int(remaining * 1000) + 20)) }
            }
            let rerun = try await json(try await LifelineProcess.run(database + ["outbox", "dispatch", "--format", "json"]))
            #expect(rerun["sent"] as? Int == 200 - sentBefore.count)
            let rerunIDs = try await gatewayLines(outboxFile).dropFirst(linesBefore).compactMap { $0["id"] as? Int }.map(Int64.init)
            #expect(rerunIDs.count == Set(rerunIDs).count, "the rerun sends each remaining message once")
            #expect(Set(rerunIDs).isDisjoint(with: sentBefore))
            #expect(Set(rerunIDs).union(sentBefore).count == 200)
            let unsent = try connection.queryFirst("SELECT count(*) FROM outbox WHERE status <> 'sent'") { $0.int64(at: 0) }
            #expect(unsent == 0)
        }
    }
}
