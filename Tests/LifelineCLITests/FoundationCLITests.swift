import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

/// End-to-end tests of the foundation commands, running the built binary.
struct FoundationCLITests {
    /// Copies the built binary alone into `folder`: it must carry its migrations.
    private func copyBinary(into folder: String) async throws -> String {
        let copy = folder + "/lifeline"
        try FileManager.default.copyItem(atPath: LifelineProcess.builtBinary, toPath: copy)
        return copy
    }

    @Test func binaryCopiedAloneMigratesAndPassesDoctor() async throws {
        try await withTemporaryDirectory { folder in
            let binary = try await copyBinary(into: folder)
            let dryRun = try await LifelineProcess.run(["migrate", "--dry-run"], executable: binary, in: folder)
            #expect(dryRun.status == 0)
            #expect(dryRun.standardOutput.contains("0001_directory.sql"))
            #expect(!FileManager.default.fileExists(atPath: folder + "/lifeline.db"), "a dry run creates nothing")

            let migrate = try await LifelineProcess.run(["migrate", "--format", "json"], executable: binary, in: folder)
            #expect(migrate.status == 0, "\(migrate.standardError)")
            let applied = LifelineSchema.migrations.map(\.fileName).joined(separator: " ")
            #expect(migrate.standardOutput.contains("\"applied\": \"\(applied)\""))
            #expect(migrate.standardOutput.contains("\"backup\": null"))

            let doctor = try await LifelineProcess.run(["doctor"], executable: binary, in: folder)
            #expect(doctor.status == 0, "\(doctor.standardOutput)\(doctor.standardError)")
            #expect(doctor.standardOutput.contains("integrity check"))
            let mode = try FileManager.default.attributesOfItem(atPath: folder + "/lifeline.db")[.posixPermissions] as? NSNumber
            #expect(mode?.uint16Value == 0o600)
        }
    }

    @Test func databaseComesFromTheOptionThenTheEnvironment() async throws {
        try await withTemporaryDirectory { folder in
            let fromEnvironment = try await LifelineProcess.run(
                ["migrate"], in: folder, environment: ["LIFELINE_DATABASE": folder + "/env.db"])
            #expect(fromEnvironment.status == 0)
            #expect(FileManager.default.fileExists(atPath: folder + "/env.db"))
            let fromOption = try await LifelineProcess.run(
                ["--database", folder + "/option.db", "migrate"], in: folder,
                environment: ["LIFELINE_DATABASE": folder + "/env.db"])
            #expect(fromOption.status == 0)
            #expect(FileManager.default.fileExists(atPath: folder + "/option.db"))
        }
    }

    @Test func migratingAgainIsANoOpWithoutBackup() async throws {
        try await withTemporaryDirectory { folder in
            _ = try await LifelineProcess.run(["migrate"], in: folder)
            let again = try await LifelineProcess.run(["migrate", "--format", "csv"], in: folder)
            #expect(again.status == 0)
            #expect(again.standardOutput.hasPrefix("database,from_version,to_version,applied,backup,numbers_judged\r\n"))
            let latest = LifelineSchema.migrations.count
            #expect(again.standardOutput.hasSuffix(",\(latest),\(latest),,,\r\n"), "nothing applied, nothing judged: \(again.standardOutput)")
            #expect(again.standardError.contains("up to date"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["lifeline.db"])
        }
    }

    @Test func fileThatIsNotADatabaseExits65WithOneLine() async throws {
        try await withTemporaryDirectory { folder in
            try Data(String(repeating: "hello, world\n", count: 200).utf8)
                .write(to: URL(fileURLWithPath: folder + "/lifeline.db"))
            let result = try await LifelineProcess.run(["doctor"], in: folder)
            #expect(result.status == 65)
            #expect(result.standardError.hasPrefix("lifeline: error: ./lifeline.db is not a usable SQLite database"))
            #expect(result.standardError.split(separator: "\n").count == 1)
            #expect(result.standardOutput.isEmpty)
        }
    }

    @Test func pathInAMissingFolderExits66WithOneLine() async throws {
        try await withTemporaryDirectory { folder in
            let result = try await LifelineProcess.run(["--database", folder + "/no/such/folder/x.db", "migrate"])
            #expect(result.status == 66)
            #expect(result.standardError.contains("does not exist"))
            #expect(result.standardError.contains("/no/such/folder"))
            #expect(result.standardError.split(separator: "\n").count == 1)
        }
    }

    @Test func readOnlyDatabaseExits78WithOneLine() async throws {
        try await withTemporaryDirectory { folder in
            let binary = try await copyBinary(into: folder)
            let path = folder + "/lifeline.db"
            let existing = try SQLiteConnection(path: path)
            try existing.executeScript("CREATE TABLE notes (text TEXT);")
            existing.close()
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder) }
            // Root ignores file permissions: run as nobody then, the way an unprivileged operator would.
            let prefix = geteuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
            let result = try await LifelineProcess.run(
                ["migrate", "--no-backup"], executable: binary, in: folder, prefix: prefix)
            #expect(result.status == 78, "\(result.standardError)")
            #expect(result.standardError.contains("read-only"))
            #expect(result.standardError.split(separator: "\n").count == 1)
        }
    }

    @Test func lockedDatabaseExits75AfterTheBusyTimeout() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/lifeline.db"
            let holder = try SQLiteConnection(path: path)
            try holder.execute("BEGIN IMMEDIATE")
            defer { try? holder.execute("ROLLBACK") }
            let result = try await LifelineProcess.run(["--database", path, "--busy-timeout", "200", "migrate"])
            #expect(result.status == 75, "\(result.standardError)")
            #expect(result.standardError.contains("busy"))
            #expect(result.standardError.contains("--busy-timeout"))
        }
    }

    /// Out of file descriptors is a passing overload, said as such (exit 75, the server's 503),
    /// not a missing database.
    @Test func runningOutOfFileDescriptorsIsBusyNotMissing() async throws {
        try await withTemporaryDirectory { folder in
            #expect(try await LifelineProcess.run(["--database", folder + "/l.db", "migrate"]).status == 0)
            let starved = try await LifelineProcess.run(
                ["--database", folder + "/l.db", "users", "list"], prefix: ["/bin/sh", "-c", "ulimit -n 5; exec \"$0\" \"$@\""])
            #expect(starved.status == 75, "\(starved.standardError)")
            #expect(starved.standardError.contains("too many open files"))
        }
    }

    @Test func badUsageExits64() async throws {
        let unknown = try await LifelineProcess.run(["migrate", "--no-such-flag"])
        #expect(unknown.status == 64)
        let badFormat = try await LifelineProcess.run(["doctor", "--format", "xml"])
        #expect(badFormat.status == 64)
        let badTimeout = try await LifelineProcess.run(["migrate", "--busy-timeout", "-5"])
        #expect(badTimeout.status == 64)
    }

    /// A value the option parser refuses is echoed escaped, like every Lifeline error: it cannot
    /// erase the terminal's line or print a fake one.
    @Test func aRefusedArgumentIsEchoedWithItsControlCharactersEscaped() async throws {
        let hostile = "\r\u{1B}[2Kfake line"
        let refused = try await LifelineProcess.run(["outbox", "dispatch", "--limit", hostile])
        #expect(refused.status == 64)
        #expect(!refused.standardError.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x0D })
        #expect(refused.standardError.contains("\\r\\u{1B}[2Kfake line"), "\(refused.standardError)")
        #expect(refused.standardError.contains("Usage:"), "the usage lines still follow")
        let help = try await LifelineProcess.run(["outbox", "dispatch", "--help"])
        #expect(help.status == 0 && help.standardOutput.contains("USAGE"))
    }

    @Test func versionNamesTheSchema() async throws {
        let result = try await LifelineProcess.run(["--version"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("(schema \(LifelineSchema.migrations.last?.version ?? 0))"))
    }

    @Test func doctorFailureExits65AfterTheReport() async throws {
        try await withTemporaryDirectory { folder in
            _ = try await LifelineProcess.run(["migrate"], in: folder)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder + "/lifeline.db")
            let result = try await LifelineProcess.run(["doctor"], in: folder)
            #expect(result.status == 65)
            #expect(result.standardOutput.contains("FAIL"))
            #expect(result.standardError.contains("file permissions"))
        }
    }
}

/// Every numeric option has a documented range; outside it is a usage error naming the option,
/// never an arithmetic trap (these values once killed the process with SIGILL).
struct NumericOptionTests {
    @Test(arguments: [
        (["codes", "purge", "--older-than", "9223372036854775807s"], "--older-than must be from 0s to 3650d"),
        (["codes", "purge", "--older-than", "1000000000000d"], "--older-than must be from 0s to 3650d"),
        (["codes", "purge", "--batch-size", "0"], "--batch-size must be from 1 to 1000000"),
        (["outbox", "dispatch", "--lease-seconds", "9300000000000000"], "--lease-seconds must be from 0 to 86400"),
        (["outbox", "dispatch", "--rate", "inf"], "--rate must be from 0.01 to 100000.0"),
        (["outbox", "dispatch", "--rate", "1e300"], "--rate must be from 0.01 to 100000.0"),
        (["outbox", "dispatch", "--rate", "1e-300", "--limit", "1"], "--rate must be from 0.01 to 100000.0"),
        (["outbox", "dispatch", "--rate", "nan"], "--rate must be from 0.01 to 100000.0"),
        (["outbox", "dispatch", "--limit", "0"], "--limit must be from 1 to 100000000"),
        (["--busy-timeout", "99999999999", "optin", "summary"], "--busy-timeout must be from 0 to 3600000"),
    ])
    func anOutOfRangeValueIsAUsageErrorNamingTheOptionAndItsRange(arguments: [String], message: String) async throws {
        try await withTemporaryDirectory { folder in
            let result = try await LifelineProcess.run(["--database", folder + "/x.db"] + arguments)
            #expect(result.status == 64, "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains(message), "\(result.standardError)")
        }
    }
}
