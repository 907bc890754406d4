import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

/// End-to-end tests of verification codes through the built binary and the file gateway.
struct CodesCLITests {
    private func prepared(_ folder: String) async throws -> [String] {
        let database = ["--database", folder + "/lifeline.db"]
        try Data("email,name,mobile\nann@example.com,Ann,447700900001\n".utf8).write(to: URL(fileURLWithPath: folder + "/staff.csv"))
        for arguments in [["migrate"], ["import", "users", folder + "/staff.csv"], ["sms", "attribute", "set", "mobile"]] {
            let result = try await LifelineProcess.run(database + arguments)
            #expect(result.status == 0, "\(arguments): \(result.standardError)")
        }
        return database
    }

    @Test func requestReadTheCodeFromThePhoneVerifyAndPurge() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await prepared(folder)
            let request = try await LifelineProcess.run(
                database + ["codes", "request", "ann@example.com", "--purpose", "password_reset", "--request-id", "p-1", "--format", "json"])
            #expect(request.standardOutput == "{\"request_id\": \"p-1\", \"status\": \"sent\", \"retry_after\": null, \"repeat\": false}\n")
            let key = try FileManager.default.attributesOfItem(atPath: folder + "/lifeline.db.key")
            #expect(key[.posixPermissions] as? Int == 0o600)
            #expect(try await LifelineProcess.run(database + ["outbox", "dispatch"]).status == 0)
            let phone = try String(contentsOfFile: folder + "/lifeline.db.outbox.jsonl", encoding: .utf8)
            let marker = try #require(phone.firstRange(of: "code is "))
            let codeText = String(phone.suffix(from: marker.upperBound).prefix(while: \.isNumber))
            #expect(codeText.count == 6)

            let wrong = try await LifelineProcess.run(database + ["codes", "verify", "p-1", codeText == "000000" ? "111111" : "000000"])
            #expect(wrong.status == 10 && wrong.standardOutput == "incorrect (4 attempts left)\n")
            let right = try await LifelineProcess.run(database + ["codes", "verify", "p-1", codeText])
            #expect(right.status == 0 && right.standardOutput == "approved\n")
            let reused = try await LifelineProcess.run(database + ["codes", "verify", "p-1", codeText])
            #expect(reused.status == 13 && reused.standardOutput == "already_used\n")
            #expect(try await LifelineProcess.run(database + ["codes", "verify", "nope", "123456"]).status == 15)

            let status = try await LifelineProcess.run(database + ["codes", "status", "p-1", "--format", "json"])
            #expect(status.standardOutput.contains("\"state\": \"approved\"") && !status.standardOutput.contains(codeText))
            for path in ["/lifeline.db", "/lifeline.db-wal"] {
                let bytes = (try? Data(contentsOf: URL(fileURLWithPath: folder + path))) ?? Data()
                #expect(bytes.range(of: Data(codeText.utf8)) == nil, "\(path) holds the code")
            }
            let purge = try await LifelineProcess.run(database + ["codes", "purge", "--older-than", "0s", "--format", "json"])
            #expect(purge.standardOutput.hasPrefix("{\"rows_purged\": 2, \"requests\": 1, \"messages\": 1, \"batches\": 2"))
            let bad = try await LifelineProcess.run(database + ["codes", "purge", "--older-than", "soon"])
            #expect(bad.status == 64 && bad.standardError.contains("not a duration"))
            let setting = try await LifelineProcess.run(database + ["settings", "set", "codes.length", "12"])
            #expect(setting.status == 64 && setting.standardError.contains("from 6 to 10"))
        }
    }

    @Test(.tags(.slow), .skippedWhenQuick) func fourProcessesOf250RequestsForOneUserLeaveOneLiveCodeAndNoBusyErrors() async throws {
        try await withTemporaryDirectory { folder in
            _ = try await prepared(folder)
            let binary = LifelineProcess.builtBinary
            let script = """
                for i in $(seq 250); do
                  "$0" --database "$1" codes request ann@example.com --purpose two_step --format csv | tail -n +2 || echo "FAILED $?"
                done
                """
            let results = try await withThrowingTaskGroup(of: ProcessResult.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await LifelineProcess.run(["-c", script, binary, folder + "/lifeline.db"], executable: "/bin/sh")
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let lines = results.flatMap { $0.standardOutput.split(whereSeparator: \.isNewline).map(String.init) }
            #expect(lines.count == 1000, "every request answered: \(lines.filter { $0.hasPrefix("FAILED") })")
            for result in results {
                #expect(result.standardError == "", "no error, busy or otherwise: \(result.standardError)")
            }
            #expect(lines.allSatisfy { $0.contains(",sent,") || $0.contains(",rate_limited,") }, "\(lines.filter { !$0.contains(",sent,") && !$0.contains(",rate_limited,") }.prefix(3))")
            let connection = try SQLiteConnection(path: folder + "/lifeline.db")
            defer { connection.close() }
            let live = try connection.queryFirst(
                "SELECT count(*) FROM verification_requests WHERE status = 'sent' AND expires_at > ?", Int64(Date().timeIntervalSince1970 * 1000)
            ) { $0.int64(at: 0) }
            #expect(live == 1)
            let sent = try connection.queryFirst("SELECT count(*) FROM outbox WHERE program = 'verification'") { $0.int64(at: 0) }
            #expect(sent == 5, "five codes in ten minutes, then rate limited")
        }
    }

    @Test func oneRequestIDFromFourProcessesAtOnceQueuesOneSMS() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await prepared(folder)
            let arguments = database + ["codes", "request", "ann@example.com", "--purpose", "two_step", "--request-id", "click-1"]
            let results = try await withThrowingTaskGroup(of: ProcessResult.self) { group in
                for _ in 0..<4 { group.addTask { try await LifelineProcess.run(arguments) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.status)): \(results.map(\.standardError))")
            let connection = try SQLiteConnection(path: folder + "/lifeline.db")
            defer { connection.close() }
            #expect(try connection.queryFirst("SELECT count(*) FROM outbox WHERE program = 'verification'") { $0.int64(at: 0) } == 1)
            #expect(try connection.queryFirst("SELECT count(*) FROM verification_requests") { $0.int64(at: 0) } == 1)
        }
    }

    @Test func doctorChecksTheKeyFilesPermissions() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await prepared(folder)
            let before = try await LifelineProcess.run(database + ["doctor"])
            #expect(before.status == 0 && !before.standardOutput.contains("key file"), "no key file yet, no check")
            _ = try await LifelineProcess.run(database + ["codes", "request", "ann@example.com", "--purpose", "two_step"])
            let healthy = try await LifelineProcess.run(database + ["doctor", "--format", "csv"])
            #expect(healthy.status == 0 && healthy.standardOutput.contains("key file permissions,ok,\"mode 600, owner only\""))
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder + "/lifeline.db.key")
            let exposed = try await LifelineProcess.run(database + ["doctor"])
            #expect(exposed.status == 65 && exposed.standardOutput.contains("run chmod 600 \(folder)/lifeline.db.key"))
        }
    }

    @Test func theNightlyJobPurgesThenChecksAndFailsLoudly() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await prepared(folder)
            _ = try await LifelineProcess.run(database + ["codes", "request", "nobody@example.com", "--purpose", "two_step"])
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/nightly-purge").path
            let environment: [String: String?] = [
                "LIFELINE_BIN": LifelineProcess.builtBinary, "LIFELINE_DATABASE": folder + "/lifeline.db", "PURGE_OLDER_THAN": "0s",
            ]
            let run = try await LifelineProcess.run([], executable: script, environment: environment)
            #expect(run.status == 0, "\(run.standardError)")
            #expect(run.standardError.contains("purge: {\"rows_purged\": 1,") && run.standardError.contains("doctor: "))
            let missing = try await LifelineProcess.run(
                [], executable: script, environment: environment.merging(["LIFELINE_DATABASE": folder + "/none.db"]) { $1 })
            #expect(missing.status == 66 && missing.standardError.contains("purge failed (exit 66)"))
            let unset = try await LifelineProcess.run([], executable: script, environment: ["LIFELINE_BIN": LifelineProcess.builtBinary])
            #expect(unset.status == 78)
        }
    }
}

struct SecretCLITests {
    @Test func rotateSaysWhatItInvalidatesAndChangesNothingWithoutYes() async throws {
        try await withTemporaryDirectory { folder in
            let database = ["--database", folder + "/lifeline.db"]
            try Data("email,mobile\nann@example.com,447700900001\n".utf8).write(to: URL(fileURLWithPath: folder + "/s.csv"))
            for arguments in [["migrate"], ["import", "users", folder + "/s.csv"], ["sms", "attribute", "set", "mobile"],
                              ["codes", "request", "ann@example.com", "--purpose", "two_step"]] {
                let result = try await LifelineProcess.run(database + arguments)
                #expect(result.status == 0, "\(arguments): \(result.standardError)")
            }
            let key = try String(contentsOfFile: folder + "/lifeline.db.key", encoding: .utf8)
            let ask = try await LifelineProcess.run(database + ["secret", "rotate"])
            #expect(ask.standardOutput == "rotating would invalidate 1 live code(s) and 1 unsent sealed message(s); run again with --yes to rotate\n")
            #expect(try String(contentsOfFile: folder + "/lifeline.db.key", encoding: .utf8) == key)
            let rotated = try await LifelineProcess.run(database + ["secret", "rotate", "--yes"])
            #expect(rotated.status == 0 && rotated.standardOutput.hasPrefix("rotated: the new key's id is "))
            #expect(try String(contentsOfFile: folder + "/lifeline.db.key", encoding: .utf8) != key)
            let fromEnvironment = try await LifelineProcess.run(
                database + ["secret", "rotate", "--yes"], environment: ["LIFELINE_SECRET": key])
            #expect(fromEnvironment.status == 78 && fromEnvironment.standardError.contains("LIFELINE_SECRET"))
        }
    }
}
