import Foundation
import LifelineTestSupport
import Testing

/// `lifeline --database postgres://…` against the tests' own PostgreSQL server.
@Suite struct PostgresCLITests {
    @Test func migrateCreatesTheSchemaOnceAndCommandsRunOnIt() async throws {
        let url = try PostgresTestServer.shared.get().makeDatabase()
        let database = ["--database", url]
        let first = try await LifelineProcess.run(database + ["migrate"])
        #expect(first.status == 0, "\(first.standardError)")
        let again = try await LifelineProcess.run(database + ["migrate", "--dry-run"])
        #expect(again.status == 0, "\(again.standardError)")
        #expect(!again.standardOutput.contains("0001_schema.sql"), "\(again.standardOutput)")
        // The password is never echoed, whatever the command prints.
        let password = try PostgresTestServer.shared.get().password
        #expect(!(first.standardOutput + first.standardError + again.standardOutput).contains(password))

        let created = try await LifelineProcess.run(database + ["api-keys", "create", "ops", "--role", "operator"])
        #expect(created.status == 0, "\(created.standardError)")
        let listed = try await LifelineProcess.run(database + ["api-keys", "list"])
        #expect(listed.status == 0, "\(listed.standardError)")
        #expect(listed.standardOutput.contains("ops"))

        try await withTemporaryDirectory { folder in
            let file = folder + "/users.csv"
            try "email,name,groups\nann@example.com,Ann Lee,Staff\n".write(toFile: file, atomically: true, encoding: .utf8)
            let imported = try await LifelineProcess.run(database + ["import", "users", file])
            #expect(imported.status == 0, "\(imported.standardError)")
            let shown = try await LifelineProcess.run(database + ["users", "show", "ANN@example.com"])
            #expect(shown.status == 0, "\(shown.standardError)")
            #expect(shown.standardOutput.contains("Ann Lee") && shown.standardOutput.contains("Staff"))
        }
    }

    @Test func aServerThatIsNotThereIsExit69NamingItsHostAndPort() async throws {
        let result = try await LifelineProcess.run(
            ["--database", "postgres://lifeline@127.0.0.1:9/lifeline?sslmode=disable&connect_timeout=2", "migrate"])
        #expect(result.status == 69)
        #expect(result.standardError.contains("127.0.0.1:9"), "\(result.standardError)")
    }

    @Test func aWrongPasswordIsAConfigurationErrorThatDoesNotShowIt() async throws {
        let server = try PostgresTestServer.shared.get()
        let url = try server.makeDatabase().replacingOccurrences(of: server.password, with: "wrong-horse-battery")
        let result = try await LifelineProcess.run(["--database", url, "migrate"])
        #expect(result.status == 78, "\(result.standardError)")
        #expect(result.standardError.contains("PGPASSWORD"))
        #expect(!result.standardError.contains("wrong-horse-battery"))
    }

    @Test func aURLThatCannotBeUsedIsAUsageError() async throws {
        let result = try await LifelineProcess.run(["--database", "postgres://a@h/d?sslmode=sometimes", "migrate"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("sslmode=sometimes"), "\(result.standardError)")
    }

    @Test func copyMovesAnSQLiteDatabaseToPostgreSQLAndBackWhole() async throws {
        let url = try PostgresTestServer.shared.get().makeDatabase()
        try await withTemporaryDirectory { folder in
            let file = ["--database", folder + "/lifeline.db"]
            try "email,name,mobile\nann@example.com,Ann Lee,447700900001\n".write(toFile: folder + "/s.csv", atomically: true, encoding: .utf8)
            for arguments in [
                ["migrate"], ["import", "users", folder + "/s.csv"], ["sms", "attribute", "set", "mobile"],
                ["optin", "record", "ann@example.com", "--state", "opted_in", "--evidence", "signed form", "--actor", "hr"],
            ] {
                let result = try await LifelineProcess.run(file + arguments)
                #expect(result.status == 0, "\(arguments): \(result.standardError)")
            }
            let copied = try await LifelineProcess.run(file + ["copy", "--to", url, "--format", "csv"])
            #expect(copied.status == 0, "\(copied.standardError)")
            #expect(copied.standardOutput.contains("consent_ledger,1\r\n"), "\(copied.standardOutput)")
            #expect(copied.standardError.contains("consent ledger digest"), "\(copied.standardError)")
            let history = try await LifelineProcess.run(["--database", url, "optin", "history", "ann@example.com", "--format", "csv"])
            #expect(history.standardOutput.contains("signed form") && history.standardOutput.contains("hr"), "\(history.standardOutput)")

            let again = try await LifelineProcess.run(file + ["copy", "--to", url])
            #expect(again.status == 64 && again.standardError.contains("already holds data"), "\(again.standardError)")
            let back = try await LifelineProcess.run(["--database", folder + "/back.db", "copy", "--from", url])
            #expect(back.status == 0, "\(back.standardError)")
            let doctor = try await LifelineProcess.run(["--database", folder + "/back.db", "doctor"])
            #expect(doctor.status == 0, "\(doctor.standardOutput)")
            let neither = try await LifelineProcess.run(file + ["copy"])
            #expect(neither.status == 64 && neither.standardError.contains("--to or --from"))
        }
    }
}
