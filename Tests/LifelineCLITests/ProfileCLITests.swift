import Foundation
import LifelineTestSupport
import Testing

/// End-to-end tests of authentication profiles and the effective profile in `users show`.
struct ProfileCLITests {
    @Test func theHighestPriorityGroupsProfileWinsElseDefault() throws {
        try withTemporaryDirectory { folder in
            let database = ["--database", folder + "/lifeline.db"]
            let csv = "email,name,groups\nann@example.com,Ann,Staff;Admins\nbob@example.com,Bob,Staff\ncat@example.com,Cat,\n"
            try Data(csv.utf8).write(to: URL(fileURLWithPath: folder + "/staff.csv"))
            for arguments in [
                ["migrate"], ["import", "users", folder + "/staff.csv"],
                ["profiles", "create", "Staff-SMS", "--reset", "sms"],
                ["profiles", "create", "Locked", "--reset", "not-allowed", "--two-step", "sms"],
                ["profiles", "assign", "Staff-SMS", "--group", "Staff", "--priority", "10"],
                ["profiles", "assign", "Locked", "--group", "Admins", "--priority", "20"],
            ] {
                let result = try LifelineProcess.run(database + arguments)
                #expect(result.status == 0, "\(arguments): \(result.standardError)")
            }
            func profile(_ email: String) throws -> String {
                let shown = try LifelineProcess.run(database + ["users", "show", email, "--format", "json"])
                let fields = try #require(try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
                return fields["auth_profile"] as? String ?? "?"
            }
            #expect(try profile("ann@example.com") == "Locked")
            #expect(try profile("bob@example.com") == "Staff-SMS")
            #expect(try profile("cat@example.com") == "default")

            let list = try LifelineProcess.run(database + ["profiles", "list", "--format", "csv"])
            #expect(list.standardOutput == "name,reset,two_step,groups\r\ndefault,email-or-sms,off,\r\nLocked,not-allowed,sms,Admins (20)\r\nStaff-SMS,sms,off,Staff (10)\r\n")
            let taken = try LifelineProcess.run(database + ["profiles", "assign", "default", "--group", "Staff", "--priority", "20"])
            #expect(taken.status == 64 && taken.standardError.contains("priority 20 is already taken by the group 'Admins'"))
            #expect(try LifelineProcess.run(database + ["profiles", "update", "Locked", "--two-step", "off"]).status == 0)
            let shown = try LifelineProcess.run(database + ["profiles", "show", "Locked", "--format", "csv"])
            #expect(shown.standardOutput == "name,reset,two_step,groups\r\nLocked,not-allowed,off,Admins (priority 20)\r\n")
            #expect(try LifelineProcess.run(database + ["profiles", "show", "Nope"]).status == 66)
            #expect(try LifelineProcess.run(database + ["profiles", "create", "Staff-SMS", "--reset", "email"]).status == 64)
        }
    }
}
