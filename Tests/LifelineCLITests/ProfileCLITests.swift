import Foundation
import LifelineTestSupport
import Testing

/// End-to-end tests of authentication profiles and the effective profile in `users show`.
struct ProfileCLITests {
    @Test func theHighestPriorityGroupsProfileWinsElseDefault() async throws {
        try await withTemporaryDirectory { folder in
            let database = ["--database", folder + "/lifeline.db"]
            let csv = "email,name,groups\nann@example.com,Ann,Staff;Admins\nbob@example.com,Bob,Staff\ncat@example.com,Cat,\n"
            try Data(csv.utf8).write(to: URL(fileURLWithPath: folder + "/staff.csv"))
            for arguments in [
                ["migrate"], ["import", "users", folder + "/staff.csv"],
                ["profiles", "create", "Staff-SMS", "--reset", "sms"],
                ["profiles", "create", "Locked", "--reset", "not_allowed", "--two-step", "sms"],
                ["profiles", "assign", "Staff-SMS", "--group", "Staff", "--priority", "10"],
                ["profiles", "assign", "Locked", "--group", "Admins", "--priority", "20"],
            ] {
                let result = try await LifelineProcess.run(database + arguments)
                #expect(result.status == 0, "\(arguments): \(result.standardError)")
            }
            func profile(_ email: String) async throws -> String {
                let shown = try await LifelineProcess.run(database + ["users", "show", email, "--format", "json"])
                let fields = try #require(try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
                return fields["auth_profile"] as? String ?? "?"
            }
            #expect(try await profile("ann@example.com") == "Locked")
            #expect(try await profile("bob@example.com") == "Staff-SMS")
            #expect(try await profile("cat@example.com") == "default")

            let list = try await LifelineProcess.run(database + ["profiles", "list", "--format", "csv"])
            #expect(list.standardOutput == "name,reset,two_step,groups\r\ndefault,email_or_sms,off,\r\nLocked,not_allowed,sms,Admins (20)\r\nStaff-SMS,sms,off,Staff (10)\r\n")
            let taken = try await LifelineProcess.run(database + ["profiles", "assign", "default", "--group", "Staff", "--priority", "20"])
            #expect(taken.status == 64 && taken.standardError.contains("priority 20 is already taken by the group 'Admins'"))
            #expect(try await LifelineProcess.run(database + ["profiles", "update", "Locked", "--two-step", "off"]).status == 0)
            let shown = try await LifelineProcess.run(database + ["profiles", "show", "Locked", "--format", "csv"])
            #expect(shown.standardOutput == "name,reset,two_step,groups\r\nLocked,not_allowed,off,Admins (priority 20)\r\n")
            #expect(try await LifelineProcess.run(database + ["profiles", "show", "Nope"]).status == 66)
            #expect(try await LifelineProcess.run(database + ["profiles", "create", "Staff-SMS", "--reset", "email"]).status == 64)
        }
    }
}
