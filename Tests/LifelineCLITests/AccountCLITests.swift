import Foundation
import LifelineTestSupport
import Testing

/// End-to-end tests of the password reset and 2-step login through the built binary, reading
/// codes from the file gateway's output as the phone would.
struct AccountCLITests {
    private static let directory = """
        email,name,mobile,groups
        ann@example.com,Ann,447700900001,Staff
        bob@example.com,Bob,,Staff
        eve@example.com,Eve,447700900005,Leavers
        lou@example.com,Lou,447700900007,Locked

        """

    /// A database with the directory, Eve disabled (left out of a later export), and Lou's group
    /// on a not-allowed profile.
    private func prepared(_ folder: String) async throws -> [String] {
        let database = ["--database", folder + "/lifeline.db"]
        try Data(Self.directory.utf8).write(to: URL(fileURLWithPath: folder + "/staff.csv"))
        let withoutEve = Self.directory.split(separator: "\n").filter { !$0.hasPrefix("eve@") }.joined(separator: "\n")
        try Data(withoutEve.utf8).write(to: URL(fileURLWithPath: folder + "/later.csv"))
        for arguments in [
            ["migrate"], ["import", "users", folder + "/staff.csv"], ["sms", "attribute", "set", "mobile"],
            ["import", "users", folder + "/later.csv", "--disable-missing"],
            ["profiles", "create", "Locked", "--reset", "not_allowed"],
            ["profiles", "assign", "Locked", "--group", "Locked", "--priority", "10"],
        ] {
            let result = try await LifelineProcess.run(database + arguments)
            #expect(result.status == 0, "\(arguments): \(result.standardError)")
        }
        return database
    }

    /// The messages the file gateway has written so far.
    private func phone(_ folder: String) -> [[String: Any]] {
        let text = (try? String(contentsOfFile: folder + "/lifeline.db.outbox.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    private func code(in message: [String: Any]?) -> String? {
        guard let body = message?["body"] as? String, let marker = body.firstRange(of: "code is ") else { return nil }
        return String(body[marker.upperBound...].prefix(while: \.isNumber))
    }

    private func password(_ text: String) -> Data { Data((text + "\n").utf8) }

    @Test(.tags(.slow), .skippedWhenQuick) func everyEmailGetsByteIdenticalAnswersToStartAndAWrongCode() async throws {
        var answers: [String: [String]] = [:]
        for email in ["ann@example.com", "nobody@example.com", "eve@example.com", "bob@example.com", "lou@example.com"] {
            for method in ["sms", "email"] {
                try await withTemporaryDirectory { folder in
                    let database = try await prepared(folder)
                    var seen: [String] = []
                    for arguments in [
                        ["reset", "start", email, "--method", method, "--request-id", "portal-7"],
                        ["reset", "verify", "portal-7", "0000000000"],
                        ["reset", "start", email, "--method", method, "--request-id", "portal-8", "--format", "json"],
                        ["reset", "verify", "portal-7", "0000000000"],
                        ["reset", "complete", "portal-8", "--password-stdin"],
                    ] {
                        let result = try await LifelineProcess.run(database + arguments, input: password("Tulip-Harbour-7"))
                        seen.append("\(result.status)|\(result.standardOutput)|\(result.standardError)")
                    }
                    answers["\(email) \(method)"] = seen
                }
            }
        }
        let reference = try #require(answers["ann@example.com sms"])
        #expect(reference[0] == "0|request_id  portal-7\nmessage     If the account can be reset this way, a code has been sent.\n|")
        #expect(reference[1] == "10|incorrect (4 attempts left)\n|")
        #expect(reference[3] == "14|superseded\n|")
        for (which, seen) in answers {
            #expect(seen == reference, "\(which) answers differently from a real account")
        }
    }

    @Test func resetBySMSThenLogInWithTwoStep() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await prepared(folder)
            let started = try await LifelineProcess.run(database + ["reset", "start", "ann@example.com", "--format", "json"])
            let fields = try #require(try JSONSerialization.jsonObject(with: Data(started.standardOutput.utf8)) as? [String: Any])
            let requestID = try #require(fields["request_id"] as? String)
            #expect(try await LifelineProcess.run(database + ["outbox", "dispatch"]).status == 0)
            let resetCode = try #require(code(in: phone(folder).last))
            #expect(phone(folder).last?["to"] as? String == "447700900001")

            let early = try await LifelineProcess.run(database + ["reset", "complete", requestID, "--password-stdin"], input: password("Tulip-Harbour-7"))
            #expect(early.status == 64 && early.standardError.contains("has no approved code"))
            let verified = try await LifelineProcess.run(database + ["reset", "verify", requestID, resetCode])
            #expect(verified.status == 0 && verified.standardOutput == "approved\n")
            let weak = try await LifelineProcess.run(database + ["reset", "complete", requestID, "--password-stdin"], input: password("annabel"))
            #expect(weak.status == 65)
            for rule in ["at least 8 characters", "at least 3 of lower case", "name part of the email"] {
                #expect(weak.standardError.contains(rule), "the refusal names '\(rule)': \(weak.standardError)")
            }
            let bare = try await LifelineProcess.run(database + ["reset", "complete", requestID])
            #expect(bare.status == 64 && bare.standardError.contains("--password-stdin"))
            let done = try await LifelineProcess.run(database + ["reset", "complete", requestID, "--password-stdin"], input: password("Tulip-Harbour-7"))
            #expect(done.status == 0 && done.standardOutput == "password changed\n", "\(done.standardError)")
            let twice = try await LifelineProcess.run(database + ["reset", "complete", requestID, "--password-stdin"], input: password("Tulip-Harbour-8"))
            #expect(twice.status == 64 && twice.standardError.contains("already completed"))
            #expect(try await LifelineProcess.run(database + ["outbox", "dispatch"]).status == 0)
            #expect(phone(folder).last?["kind"] as? String == "password_changed")

            let plain = try await LifelineProcess.run(database + ["auth", "check", "ann@example.com", "--password-stdin"], input: password("Tulip-Harbour-7"))
            #expect(plain.status == 0 && plain.standardOutput.hasPrefix("state       authenticated\n"))
            let wrong = try await LifelineProcess.run(database + ["auth", "check", "ann@example.com", "--password-stdin"], input: password("Tulip-Harbour-8"))
            let unknown = try await LifelineProcess.run(database + ["auth", "check", "nobody@example.com", "--password-stdin"], input: password("Tulip-Harbour-7"))
            #expect(wrong.status == 20 && wrong.standardOutput.hasPrefix("state       invalid_credentials\n"))
            #expect(unknown.status == wrong.status && unknown.standardOutput == wrong.standardOutput)

            for arguments in [["profiles", "create", "Secure", "--reset", "sms", "--two-step", "sms"], ["profiles", "assign", "Secure", "--group", "Staff", "--priority", "20"]] {
                #expect(try await LifelineProcess.run(database + arguments).status == 0)
            }
            let check = try await LifelineProcess.run(
                database + ["auth", "check", "ann@example.com", "--password-stdin", "--format", "json"], input: password("Tulip-Harbour-7"))
            #expect(check.status == 21 && check.standardOutput.contains("\"state\": \"second_factor_required\""))
            let login = try #require(try JSONSerialization.jsonObject(with: Data(check.standardOutput.utf8)) as? [String: Any])
            let loginID = try #require(login["request_id"] as? String)
            #expect(try await LifelineProcess.run(database + ["outbox", "dispatch"]).status == 0)
            let signInCode = try #require(code(in: phone(folder).last))
            let misuse = try await LifelineProcess.run(database + ["reset", "verify", loginID, signInCode])
            #expect(misuse.status == 15 && misuse.standardOutput == "not_found\n", "a login code opens no reset")
            let finished = try await LifelineProcess.run(database + ["auth", "verify", loginID, signInCode])
            #expect(finished.status == 0 && finished.standardOutput == "authenticated\n")
            let again = try await LifelineProcess.run(database + ["auth", "verify", loginID, signInCode])
            #expect(again.status == 13 && again.standardOutput == "already_used\n")
            for path in ["/lifeline.db", "/lifeline.db-wal"] {
                let bytes = (try? Data(contentsOf: URL(fileURLWithPath: folder + path))) ?? Data()
                #expect(bytes.range(of: Data("Tulip-Harbour-7".utf8)) == nil, "\(path) holds the password")
            }
        }
    }

    @Test func resetByEmailGoesToTheOutboxsEmailChannel() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await prepared(folder)
            let started = try await LifelineProcess.run(database + ["reset", "start", "ann@example.com", "--method", "email", "--request-id", "web-1"])
            #expect(started.status == 0)
            #expect(try await LifelineProcess.run(database + ["outbox", "dispatch"]).status == 0)
            let message = phone(folder).last
            #expect(message?["channel"] as? String == "email" && message?["to"] as? String == "ann@example.com")
            let verified = try await LifelineProcess.run(database + ["reset", "verify", "web-1", try #require(code(in: message))])
            #expect(verified.status == 0)
        }
    }

    @Test func adminsAreGrantedListedAndRevokedFromTheCommandLine() async throws {
        try await withTemporaryDirectory { folder in
            let database = ["--database", folder + "/lifeline.db"]
            try Data("email,mobile\nann@example.com,447700900001\nbob@example.com,\n".utf8).write(to: URL(fileURLWithPath: folder + "/s.csv"))
            for arguments in [["migrate"], ["import", "users", folder + "/s.csv"], ["sms", "attribute", "set", "mobile"]] {
                #expect(try await LifelineProcess.run(database + arguments).status == 0)
            }
            let granted = try await LifelineProcess.run(database + ["admins", "grant", "ann@example.com", "--role", "admin", "--actor", "hr"])
            #expect(granted.status == 0 && granted.standardOutput == "ann@example.com is now a console admin\n")
            #expect(granted.standardError.contains("no password yet"))
            #expect(granted.standardError.contains("--send-reset"), "the next step is named")

            // The guided path: --send-reset texts a reset code, and the reset sets the password.
            let sent = try await LifelineProcess.run(database + ["admins", "grant", "ann@example.com", "--role", "admin", "--send-reset", "--actor", "hr"])
            #expect(sent.status == 0 && sent.standardError.contains("password reset code is on its way"), "\(sent.standardError)")
            let requestID = try #require(sent.standardError.firstMatch(of: /\(request ([^)]+)\)/)?.1).description
            #expect(try await LifelineProcess.run(database + ["outbox", "dispatch"]).status == 0)
            let resetCode = try #require(code(in: phone(folder).last { $0["to"] as? String == "447700900001" }))
            #expect(try await LifelineProcess.run(database + ["reset", "verify", requestID, resetCode]).status == 0)
            let set = try await LifelineProcess.run(
                database + ["reset", "complete", requestID, "--password-stdin"], input: password("Tulip-Harbour-7"))
            #expect(set.status == 0)
            let regranted = try await LifelineProcess.run(database + ["admins", "grant", "ann@example.com", "--role", "admin", "--actor", "hr"])
            #expect(!regranted.standardError.contains("no password yet"))

            let refused = try await LifelineProcess.run(database + ["admins", "grant", "bob@example.com", "--role", "operator"])
            #expect(refused.status == 65 && refused.standardError.contains("no valid SMS number"), "\(refused.standardError)")
            let badRole = try await LifelineProcess.run(database + ["admins", "grant", "ann@example.com", "--role", "root"])
            #expect(badRole.status == 64)
            let listed = try await LifelineProcess.run(database + ["admins", "list", "--format", "csv"])
            #expect(listed.standardOutput.hasPrefix("email,role,on_call,granted_at,granted_by\r\nann@example.com,admin,no,"))
            #expect(listed.standardOutput.hasSuffix(",hr\r\n"))
            let onCall = try await LifelineProcess.run(database + ["admins", "on-call", "ann@example.com", "--on"])
            #expect(onCall.status == 0 && onCall.standardOutput == "ann@example.com is on call\n")
            let asked = try await LifelineProcess.run(database + ["admins", "on-call", "ann@example.com"])
            #expect(asked.standardOutput == "ann@example.com is on call\n")
            let regrantedOnCall = try await LifelineProcess.run(
                database + ["admins", "grant", "ann@example.com", "--role", "operator", "--no-on-call"])
            #expect(regrantedOnCall.standardOutput == "ann@example.com is now a console operator\n")
            let notGranted = try await LifelineProcess.run(database + ["admins", "on-call", "bob@example.com", "--off"])
            #expect(notGranted.status == 66 && notGranted.standardError.contains("has no console role"))
            #expect(try await LifelineProcess.run(database + ["admins", "revoke", "ann@example.com"]).status == 0)
            let again = try await LifelineProcess.run(database + ["admins", "revoke", "ann@example.com"])
            #expect(again.status == 66 && again.standardError.contains("has no console role"))
        }
    }
}
