import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

/// End-to-end tests of import, directory queries and SMS numbers, running the built binary.
struct DirectoryCLITests {
    private let directory = """
        email,name,mobile,department,groups
        ann@example.com,Ann Lee,+44 7700 900123,Sales,Staff;London
        zoe@example.com,Zoë Öz,447700900124,R&D,Staff
        kim@example.com,김민준,07700 900125,R&D,Seoul

        """

    /// A migrated database in `folder`; returns the arguments that select it.
    private func migrated(_ folder: String) async throws -> [String] {
        let database = ["--database", folder + "/lifeline.db"]
        let result = try await LifelineProcess.run(database + ["migrate"])
        #expect(result.status == 0)
        return database
    }

    private func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// The JSON object the command printed.
    private func json(_ result: ProcessResult) async throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    }

    @Test func importReportsCreatedUpdatedUnchanged() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await migrated(folder)
            try write(directory, to: folder + "/staff.csv")
            let first = try await LifelineProcess.run(database + ["import", "users", folder + "/staff.csv", "--format", "json"])
            #expect(first.status == 0, "\(first.standardError)")
            #expect(first.standardError.isEmpty, "no progress bar when standard error is not a terminal")
            let summary = try await json(first)
            #expect(summary["created"] as? Int == 3 && summary["groups_created"] as? Int == 3)
            #expect(summary["attributes_defined"] as? Int == 2 && summary["written"] as? Bool == true)

            try write(directory.replacingOccurrences(of: "Ann Lee", with: "Ann Lee-Smith"), to: folder + "/staff.csv")
            let second = try await json(try await LifelineProcess.run(database + ["import", "users", folder + "/staff.csv", "--format", "json"]))
            #expect(second["updated"] as? Int == 1 && second["unchanged"] as? Int == 2 && second["created"] as? Int == 0)

            let csv = try await LifelineProcess.run(database + ["import", "users", folder + "/staff.csv", "--format", "csv"])
            #expect(csv.standardOutput.hasPrefix("result,rows,created,updated,unchanged,disabled,re_enabled,rejected,"))
            #expect(csv.standardOutput.contains("\r\nnothing to write: every row is as stored,3,0,0,3,0,0,0,0,0,0,0,"))
            #expect(csv.standardOutput.hasSuffix(",no\r\n"), "a re-import of the same file commits nothing")

            let dry = try await json(try await LifelineProcess.run(database + ["import", "users", folder + "/staff.csv", "--dry-run", "--format", "json"]))
            #expect((dry["result"] as? String)?.hasPrefix("dry run: nothing was written") == true)
        }
    }

    @Test func importFromStandardInput() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await migrated(folder)
            let result = try await LifelineProcess.run(
                database + ["import", "users", "-", "--format", "json"], input: Data(("\u{FEFF}" + directory).utf8))
            #expect(result.status == 0, "\(result.standardError)")
            #expect(try await json(result)["created"] as? Int == 3)
        }
    }

    @Test func rejectedRowsExit65AndWriteNothingUnlessPartial() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await migrated(folder)
            try write(directory + "not-an-email,X,,,\nzoe@EXAMPLE.com,Again,,,\n", to: folder + "/staff.csv")
            let refused = try await LifelineProcess.run(database + ["import", "users", folder + "/staff.csv"])
            #expect(refused.status == 65)
            let lines = refused.standardError.split(separator: "\n")
            #expect(lines.contains { $0.hasSuffix("staff.csv:5: malformed email 'not-an-email': has no @") })
            #expect(lines.contains { $0.hasSuffix("staff.csv:6: duplicate email: the same user as line 3") })
            #expect(lines.last?.hasPrefix("lifeline: error:") == true)
            #expect(lines.last?.contains("2 row(s) rejected, so nothing was written") == true)
            let list = try await LifelineProcess.run(database + ["users", "list", "--format", "csv"])
            #expect(list.standardOutput == "email,name,status,updated_at\r\n")

            let partial = try await LifelineProcess.run(
                database + ["import", "users", folder + "/staff.csv", "--allow-partial", "--reject-file", folder + "/rejects.csv"])
            #expect(partial.status == 0)
            let rejects = try String(contentsOfFile: folder + "/rejects.csv", encoding: .utf8)
            #expect(rejects.hasPrefix("line,reason,email,name,mobile,department,groups\r\n5,"))
            let users = try await LifelineProcess.run(database + ["users", "list", "--format", "csv"])
            #expect(users.standardOutput.split(separator: "\r\n").count == 4)
        }
    }

    @Test func dryRunWritesNothing() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await migrated(folder)
            try write(directory, to: folder + "/staff.csv")
            let before = try Data(contentsOf: URL(fileURLWithPath: folder + "/lifeline.db"))
            let result = try await LifelineProcess.run(database + ["import", "users", folder + "/staff.csv", "--dry-run", "--format", "json"])
            #expect(result.status == 0)
            #expect(try await json(result)["created"] as? Int == 3)
            #expect(result.standardError.contains("Dry run: nothing was written."))
            #expect(try await LifelineProcess.run(database + ["groups", "list", "--format", "json"]).standardOutput == "[]\n")
            let connection = try SQLiteConnection(path: folder + "/lifeline.db")
            #expect(try connection.queryFirst("SELECT count(*) FROM users") { $0.int64(at: 0) } == 0)
            connection.close()
            #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/lifeline.db")) == before)
        }
    }

    @Test func groupsReplaceAndDisableMissing() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await migrated(folder)
            try write(directory, to: folder + "/staff.csv")
            _ = try await LifelineProcess.run(database + ["import", "users", folder + "/staff.csv"])
            try write("email,groups\nann@example.com,Paris\n", to: folder + "/next.csv")
            let result = try await LifelineProcess.run(
                database + ["import", "users", folder + "/next.csv", "--groups", "replace", "--disable-missing", "--format", "json"])
            let summary = try await json(result)
            #expect(summary["memberships_added"] as? Int == 1 && summary["memberships_removed"] as? Int == 2)
            #expect(summary["disabled"] as? Int == 2)
            let groups = try await LifelineProcess.run(database + ["groups", "list", "--format", "csv"])
            #expect(groups.standardOutput == "name,members\r\nLondon,0\r\nParis,1\r\nSeoul,1\r\nStaff,1\r\n")
            let disabled = try await LifelineProcess.run(database + ["users", "list", "--status", "disabled", "--format", "csv"])
            #expect(disabled.standardOutput.contains("kim@example.com") && disabled.standardOutput.contains("zoe@example.com"))
            let staff = try await LifelineProcess.run(database + ["users", "list", "--group", "staff", "--format", "csv"])
            #expect(staff.standardOutput.split(separator: "\r\n").count == 2)
            let unknown = try await LifelineProcess.run(database + ["users", "list", "--group", "Nowhere"])
            #expect(unknown.status == 66 && unknown.standardError.contains("the groups are: London, Paris, Seoul, Staff"))
        }
    }

    @Test func missingInputFileExits66() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await migrated(folder)
            let result = try await LifelineProcess.run(database + ["import", "users", folder + "/nope.csv"])
            #expect(result.status == 66)
            #expect(result.standardError.contains("nope.csv"))
        }
    }

    @Test func usersShowAndTheSMSWorkflow() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await migrated(folder)
            try write(directory, to: folder + "/staff.csv")
            _ = try await LifelineProcess.run(database + ["import", "users", folder + "/staff.csv"])
            let none = try await LifelineProcess.run(database + ["sms", "attribute"])
            #expect(none.status == 78 && none.standardError.contains("sms attribute set"))
            let wrong = try await LifelineProcess.run(database + ["sms", "attribute", "set", "phone"])
            #expect(wrong.status == 65 && wrong.standardError.contains("the attributes are: department, mobile"))
            #expect(try await LifelineProcess.run(database + ["sms", "attribute", "set", "mobile"]).status == 0)
            let shown = try await json(try await LifelineProcess.run(database + ["sms", "attribute", "--format", "json"]))
            #expect(shown["attribute"] as? String == "mobile")

            let report = try await LifelineProcess.run(database + ["sms", "verify-numbers", "--format", "csv"])
            #expect(report.status == 0)
            #expect(report.standardOutput.contains(
                "ann@example.com,+44 7700 900123,deliverable,deliverable; not in long format: 447700900123,1\r\n"))
            #expect(report.standardOutput.contains("kim@example.com,07700 900125,invalid,"))
            #expect(report.standardError.contains("fixable"))
            #expect(!report.standardError.contains("\\n"), "the counts are lines, not one escaped line")
            #expect(report.standardError.split(separator: "\n").contains { $0.hasPrefix("valid ") })
            let invalidOnly = try await LifelineProcess.run(database + ["sms", "verify-numbers", "--status", "invalid", "--format", "csv"])
            #expect(invalidOnly.standardOutput.split(separator: "\r\n").count == 2)

            // The organisation's default country makes national numbers deliverable, for every command.
            let country = try await LifelineProcess.run(database + ["settings", "set", "sms.default_country", "gb"])
            #expect(country.status == 0)
            let judged = try await json(try await LifelineProcess.run(database + ["sms", "verify-numbers", "--summary", "--format", "json"]))
            #expect(judged["valid"] as? Int == 1 && judged["deliverable"] as? Int == 2)
            let kimJudged = try await LifelineProcess.run(database + ["users", "show", "kim@example.com"])
            #expect(kimJudged.standardOutput.contains("sms_number            447700900125"))
            #expect(kimJudged.standardOutput.contains("sms_verdict           deliverable"), "judged with the default country, as stored")
            let fixed = try await LifelineProcess.run(database + ["sms", "verify-numbers", "--fix", "--format", "csv"])
            #expect(fixed.standardOutput == "email,before,after\r\nann@example.com,+44 7700 900123,447700900123\r\nkim@example.com,07700 900125,447700900125\r\n")
            let summary = try await json(try await LifelineProcess.run(database + ["sms", "verify-numbers", "--summary", "--format", "json"]))
            #expect(summary["valid"] as? Int == 3 && summary["fixable"] as? Int == 0)

            let kim = try await LifelineProcess.run(database + ["users", "show", "KIM@example.com"])
            #expect(kim.status == 0)
            #expect(kim.standardOutput.contains("sms_number            447700900125"))
            #expect(kim.standardOutput.contains("name                  김민준"))
            let nobody = try await LifelineProcess.run(database + ["users", "show", "nobody@example.com"])
            #expect(nobody.status == 66)

            // A nightly import that takes a console admin's number away says so, naming them.
            #expect(try await LifelineProcess.run(database + ["admins", "grant", "ann@example.com", "--role", "admin"]).status == 0)
            try write("email,mobile\nann@example.com,call me\n", to: folder + "/nightly.csv")
            let nightly = try await LifelineProcess.run(database + ["import", "users", folder + "/nightly.csv", "--format", "json"])
            #expect(nightly.status == 0)
            #expect(try await json(nightly)["numbers_lost"] as? Int == 1)
            #expect(nightly.standardError.contains("WARNING: console account lost the SMS number their sign-in code goes to"))
            #expect(nightly.standardError.contains("ann@example.com"))
            #expect(nightly.standardError.contains("warning: 1 user lost the number alerts are sent to"))
            let attributes = try await LifelineProcess.run(database + ["attributes", "list", "--format", "csv"])
            #expect(attributes.standardOutput == "name,source,users_with_value,description\r\ndepartment,import,3,\r\nmobile,import,3,\r\n")
        }
    }

    @Test(.tags(.slow), .skippedWhenQuick) func killedImportLeavesTheDatabaseAsBeforeOrAfterAndARerunConverges() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await migrated(folder)
            let indexSQL = "SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name"
            let indexesBefore = try SQLiteConnection(path: folder + "/lifeline.db").query(indexSQL) { "\($0.string(at: 0)) \($0.string(at: 1))" }
            let rows = 120_000
            var csv = "email,name,mobile,groups\n"
            csv.reserveCapacity(rows * 60)
            for index in 0..<rows { csv += "user\(index)@example.com,User \(index),4477009\(100_000 + index % 900_000),G\(index % 7)\n" }
            try write(csv, to: folder + "/big.csv")

            // The file goes in through standard input, and the test holds back its end: the
            // import cannot have finished when it is killed. Once the first half is written (a
            // pipe holds 64 KiB), the import has read, and written in its transaction, most of it.
            let input = Pipe()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: LifelineProcess.builtBinary)
            process.arguments = database + ["import", "users", "-"]
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let exited = ProcessExit(process)
            try process.run()
            let firstHalf = Data(csv.utf8.prefix(csv.utf8.count / 2))
            try await LifelineProcess.onThread { input.fileHandleForWriting.write(firstHalf) }
            kill(process.processIdentifier, SIGKILL)
            _ = await exited.status()
            #expect(process.terminationReason == .uncaughtSignal, "the import was killed, not finished")
            try? input.fileHandleForWriting.close()

            let doctor = try await LifelineProcess.run(database + ["doctor"])
            #expect(doctor.status == 0, "\(doctor.standardOutput)")
            let connection = try SQLiteConnection(path: folder + "/lifeline.db")
            let count = try connection.queryFirst("SELECT count(*) FROM users") { $0.int64(at: 0) } ?? -1
            // A first import builds its indexes at the end, in its transaction: killed, they are as they were.
            let indexesAfter = try connection.query(indexSQL) { "\($0.string(at: 0)) \($0.string(at: 1))" }
            connection.close()
            #expect(count == 0, "an import killed in flight leaves the directory as it was, found \(count) users")
            #expect(indexesAfter == indexesBefore)

            let rerun = try await LifelineProcess.run(database + ["import", "users", folder + "/big.csv", "--format", "json"])
            #expect(rerun.status == 0)
            let summary = try await json(rerun)
            #expect((summary["created"] as? Int ?? 0) + (summary["unchanged"] as? Int ?? 0) == rows)
            #expect(summary["created"] as? Int == rows - Int(count))
        }
    }
}

/// What a file or an argument carries from outside reaches the terminal visibly escaped.
struct TerminalEscapeTests {
    @Test func aHostileHeaderAndArgumentAreEscapedInErrorsAndNotes() async throws {
        try await withTemporaryDirectory { folder in
            let database = ["--database", folder + "/lifeline.db"]
            #expect(try await LifelineProcess.run(database + ["migrate"]).status == 0)
            try Data("email,\u{1B}[2Jname\u{07},email\n".utf8).write(to: URL(fileURLWithPath: folder + "/bad.csv"))
            let importing = try await LifelineProcess.run(database + ["import", "users", folder + "/bad.csv"])
            #expect(importing.status == 65)
            #expect(!importing.standardError.contains("\u{1B}") && !importing.standardError.contains("\u{07}"))
            let attribute = try await LifelineProcess.run(database + ["sms", "attribute", "set", "x\r\u{1B}]0;pwned\u{07}"])
            #expect(attribute.status == 65)
            #expect(attribute.standardError.contains("x\\r\\u{1B}]0;pwned\\u{7}"), "\(attribute.standardError)")
            #expect(attribute.standardError.split(separator: "\n").count == 1, "one line, whatever the argument held")
        }
    }

    @Test func smsCheckJudgesNumbersWithoutADatabase() async throws {
        let result = try await LifelineProcess.run(
            ["sms", "check", "0343 15 555 1212", "447700900123", "07", "--default-country", "AR", "--format", "csv"])
        #expect(result.status == 0, "\(result.standardError)")
        let rows = result.standardOutput.replacingOccurrences(of: "\r", with: "").split(separator: "\n")
        #expect(rows == [
            "value,verdict,long_format,detail",
            "0343 15 555 1212,deliverable,5493435551212,deliverable; not in long format: 5493435551212",
            "447700900123,valid,447700900123,", "07,invalid,,too short",
        ])
        let none = try await LifelineProcess.run(["sms", "check"])
        #expect(none.status == 64)
    }
}
