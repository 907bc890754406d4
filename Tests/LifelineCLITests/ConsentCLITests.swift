import Foundation
import LifelineTestSupport
import Testing

/// End-to-end tests of opt-in, inbound SMS, the operator queries and settings, running the built binary.
struct ConsentCLITests {
    private let directory = """
        email,name,mobile,groups
        ann@example.com,Ann,447700900001,Staff
        bob@example.com,Bob,447700900002,Staff
        cat@example.com,Cat,07700 900003,Ops

        """

    /// A migrated database with the directory imported and the SMS attribute chosen.
    private func prepared(_ folder: String) async throws -> [String] {
        let database = ["--database", folder + "/lifeline.db"]
        try Data(directory.utf8).write(to: URL(fileURLWithPath: folder + "/staff.csv"))
        for arguments in [["migrate"], ["import", "users", folder + "/staff.csv"], ["sms", "attribute", "set", "mobile"]] {
            let result = try await LifelineProcess.run(database + arguments)
            #expect(result.status == 0, "\(arguments): \(result.standardError)")
        }
        return database
    }

    @Test func whateverTheCLIPrintsItAcceptsBack() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await prepared(folder)
            // optin summary prints opted_in; --state takes it as well as opted-in.
            let summary = try await LifelineProcess.run(database + ["optin", "summary", "--format", "json"])
            #expect(summary.standardOutput.contains("\"opted_in\""))
            for state in ["opted_in", "opted-in"] {
                let list = try await LifelineProcess.run(database + ["optin", "list", "--state", state])
                #expect(list.status == 0, "\(state): \(list.standardError)")
            }
            // codes status prints password_reset; --purpose takes it.
            let request = try await LifelineProcess.run(
                database + ["codes", "request", "ann@example.com", "--purpose", "password_reset", "--request-id", "p-1"])
            #expect(request.status == 0, "\(request.standardError)")
            let status = try await LifelineProcess.run(database + ["codes", "status", "p-1", "--format", "csv"])
            #expect(status.standardOutput.contains(",password_reset,"))
            let profile = try await LifelineProcess.run(database + ["profiles", "create", "P", "--reset", "email_or_sms"])
            #expect(profile.status == 0, "\(profile.standardError)")
        }
    }

    @Test func statusAnswersManyLookupsInOneProcessAndReportsEachFailure() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await prepared(folder)
            let many = try await LifelineProcess.run(
                database + ["optin", "status", "ann@example.com", "nobody@example.com", "--stdin", "--format", "csv"],
                input: Data("447700900002\n\n  \nnot a number\ncat@example.com\n".utf8))
            #expect(many.status == 65, "the last failure's exit code: \(many.standardError)")
            #expect(
                many.standardOutput == """
                    query,email,number,state,since,source,evidence\r
                    ann@example.com,ann@example.com,447700900001,none,,,\r
                    447700900002,bob@example.com,447700900002,none,,,\r
                    cat@example.com,cat@example.com,07700 900003,none,,,\r

                    """)
            let errors = many.standardError.split(separator: "\n")
            #expect(errors.count == 2, "\(many.standardError)")
            #expect(errors.first?.contains("nobody@example.com") == true)
            #expect(errors.last?.contains("not a number") == true)

            let one = try await LifelineProcess.run(database + ["optin", "status", "nobody@example.com"])
            #expect(one.status == 66 && one.standardOutput.isEmpty)
            let none = try await LifelineProcess.run(database + ["optin", "status"])
            #expect(none.status == 64 && none.standardError.contains("--stdin"))
        }
    }

    @Test func requestConfirmStopAndTheQueries() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await prepared(folder)
            let request = try await LifelineProcess.run(database + ["optin", "request", "ann@example.com"])
            #expect(request.status == 0 && request.standardOutput.hasPrefix("pending: a confirmation request was queued"))
            let again = try await LifelineProcess.run(database + ["optin", "request", "ann@example.com"])
            #expect(again.standardOutput.contains("nothing sent (at most one every 10 minutes)"))

            let yes = try await LifelineProcess.run(database + ["sms", "inbound", "--from", "+44 7700 900001", "--text", "Yes!"])
            #expect(yes.standardOutput == "opted_in: ann@example.com (reply queued)\n")
            let status = try await LifelineProcess.run(database + ["optin", "status", "ANN@example.com", "--format", "csv"])
            #expect(status.standardOutput.hasPrefix("email,number,state,since,source,evidence\r\nann@example.com,447700900001,opted_in,"))
            #expect(status.standardOutput.hasSuffix(",sms_keyword,Yes!\r\n"))

            let nearMiss = try await LifelineProcess.run(database + ["sms", "inbound", "--from", "447700900001", "--text", "STOP IT"])
            #expect(nearMiss.standardOutput == "unhandled\n")
            let stop = try await LifelineProcess.run(database + ["sms", "inbound", "--from", "00447700900001", "--text", "stop"])
            #expect(stop.standardOutput == "opted_out: ann@example.com (reply queued)\n")
            let repeated = try await LifelineProcess.run(database + ["sms", "inbound", "--from", "447700900001", "--text", "STOP"])
            #expect(repeated.standardOutput == "no_change\n")

            let refused = try await LifelineProcess.run(
                database + ["optin", "record", "ann@example.com", "--state", "opted_in", "--evidence", "signed form"])
            #expect(refused.status == 65)
            #expect(refused.standardError.contains("only the user can opt back in"))
            let noEvidence = try await LifelineProcess.run(database + ["optin", "record", "bob@example.com", "--state", "opted_in"])
            #expect(noEvidence.status == 64)
            let recorded = try await LifelineProcess.run(
                database + ["optin", "record", "bob@example.com", "--state", "opted_in", "--evidence", "form 7", "--actor", "hr"])
            #expect(recorded.status == 0 && recorded.standardOutput.hasPrefix("opted_in since "))

            // Many at once: each email gets its line; one that fails is reported and the rest go on.
            let many = try await LifelineProcess.run(
                database + ["optin", "record", "--stdin", "--state", "opted_out", "--evidence", "forms", "--actor", "hr"],
                input: Data("bob@example.com\n\nnobody@example.com\n".utf8))
            #expect(many.status == 66 && many.standardOutput.hasPrefix("bob@example.com: opted_out since "))
            #expect(many.standardError.contains("nobody@example.com"), "\(many.standardError)")
            let restored = try await LifelineProcess.run(
                database + ["optin", "record", "bob@example.com", "--state", "opted_in", "--evidence", "form 8", "--actor", "hr"])
            #expect(restored.status == 0)

            let summary = try await LifelineProcess.run(database + ["optin", "summary", "--format", "json"])
            #expect(summary.standardOutput == "{\"opted_in\": 1, \"pending\": 0, \"opted_out\": 1, \"none\": 0, \"no_valid_number\": 1, \"total\": 3}\n")
            let staff = try await LifelineProcess.run(database + ["optin", "list", "--group", "Staff", "--state", "opted_in", "--format", "csv"])
            #expect(staff.standardOutput.split(separator: "\r\n").count == 2 && staff.standardOutput.contains("bob@example.com"))

            let history = try await LifelineProcess.run(database + ["optin", "history", "447700900001", "--format", "csv"])
            let rows = history.standardOutput.split(separator: "\r\n").dropFirst()
            #expect(rows.map { $0.split(separator: ",")[3] } == ["pending", "opted_in", "opted_out"])
            #expect(rows.map { $0.split(separator: ",")[4] } == ["portal", "sms_keyword", "sms_keyword"])
        }
    }

    @Test func optInNeedsALongFormatNumber() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await prepared(folder)
            let result = try await LifelineProcess.run(database + ["optin", "request", "cat@example.com"])
            #expect(result.status == 65)
            #expect(result.standardError.contains("cat@example.com has no usable SMS number"))
        }
    }

    @Test func settingsListAndValidatedSet() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await prepared(folder)
            #expect(try await LifelineProcess.run(database + ["settings", "set", "consent.support_contact", "call 0800 123 456"]).status == 0)
            let list = try await LifelineProcess.run(database + ["settings", "list", "--format", "csv"])
            #expect(list.standardOutput.contains("consent.support_contact,call 0800 123 456,no,"))
            #expect(list.standardOutput.contains("consent.program_name,Lifeline outage alerts,yes,"))
            #expect(list.standardOutput.contains("sms.attribute,mobile,no,"))
            let tooLong = try await LifelineProcess.run(database + ["settings", "set", "consent.program_name", String(repeating: "x", count: 41)])
            #expect(tooLong.status == 64 && tooLong.standardError.contains("1 to 40 characters"))
            let unknown = try await LifelineProcess.run(database + ["settings", "set", "no.such", "x"])
            #expect(unknown.status == 64 && unknown.standardError.contains("the settings are: sms.attribute"))
            let help = try await LifelineProcess.run(database + ["sms", "inbound", "--from", "447700900002", "--text", "HELP"])
            #expect(help.standardOutput == "help (reply queued)\n")
            let outbox = try await LifelineProcess.run(database + ["outbox", "list", "--status", "queued", "--format", "csv"])
            let reply = try #require(outbox.standardOutput.split(separator: "\r\n").last)
            #expect(reply.contains(",queued,service,help_reply,,447700900002,0,,"))
            #expect(reply.contains("Support: call 0800 123 456."), "the HELP reply uses the configured contact")
            let none = try await LifelineProcess.run(database + ["outbox", "list", "--status", "sent", "--format", "json"])
            #expect(none.standardOutput == "[]\n")
        }
    }
}
