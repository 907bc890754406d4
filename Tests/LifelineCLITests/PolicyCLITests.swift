import Foundation
import LifelineTestSupport
import Testing

/// End-to-end tests of `lifeline policy`.
struct PolicyCLITests {
    @Test func showAndSetTheValidatedPolicy() async throws {
        try await withTemporaryDirectory { folder in
            let database = ["--database", folder + "/lifeline.db"]
            #expect(try await LifelineProcess.run(database + ["migrate"]).status == 0)
            let shown = try await LifelineProcess.run(database + ["policy", "show", "--format", "json"])
            #expect(shown.standardOutput == "{\"min_length\": 8, \"max_length\": 256, \"character_classes\": 3, \"refuses_email_name\": true, \"common_passwords_refused\": 30000}\n")
            #expect(try await LifelineProcess.run(database + ["policy", "set", "--min-length", "12", "--character-classes", "4"]).status == 0)
            let refused = try await LifelineProcess.run(database + ["policy", "set", "--character-classes", "5"])
            #expect(refused.status == 64 && refused.standardError.contains("from 1 to 4"))
            let after = try await LifelineProcess.run(database + ["policy", "show", "--format", "csv"])
            #expect(after.standardOutput.hasPrefix("min_length,max_length,character_classes,refuses_email_name,common_passwords_refused\r\n12,256,4,"))
        }
    }
}
