import Foundation
import LifelineTestSupport
import Testing

/// What a newcomer reads first: every command's `--help` has an example, `--version` is the
/// root's alone, and the help of `import users` and `serve` says what they need.
struct HelpTests {
    /// Every command path, found by reading each help's SUBCOMMANDS section.
    private func commandPaths(_ path: [String] = []) async throws -> [(path: [String], help: String)] {
        let help = try await LifelineProcess.run(path + ["--help"]).standardOutput
        var found = [(path, help)]
        guard let section = help.components(separatedBy: "SUBCOMMANDS:\n").dropFirst().first else { return found }
        for line in section.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { break }
            guard let name = line.firstMatch(of: /^  ([a-z][a-z-]*)/)?.1 else { continue }
            found += try await commandPaths(path + [String(name)])
        }
        return found
    }

    @Test(.tags(.slow), .skippedWhenQuick) func everyCommandsHelpHasAnExampleAndOnlyTheRootOffersVersion() async throws {
        let commands = try await commandPaths()
        #expect(commands.count > 70, "the walk found the commands: \(commands.count)")
        for (path, help) in commands {
            let name = (["lifeline"] + path).joined(separator: " ")
            #expect(help.contains("Example"), "\(name) --help has no example")
            #expect(help.contains("--version") == path.isEmpty, "\(name): --version belongs to the root alone")
            // An example must still be one line to copy: argument-parser wraps at 80 columns.
            let examples = help.components(separatedBy: "Example").dropFirst().first?.components(separatedBy: "\n\n").first ?? ""
            for line in examples.split(separator: "\n").dropFirst() {
                #expect(line.hasPrefix("  "), "\(name): an example line was wrapped: \(line)")
            }
        }
        let version = try await LifelineProcess.run(["--version"])
        #expect(version.status == 0 && version.standardOutput.contains("schema"))
        let misplaced = try await LifelineProcess.run(["migrate", "--version"])
        #expect(misplaced.status == 64 && misplaced.standardError.contains("lifeline --version"))

        let importHelp = try #require(commands.first { $0.path == ["import", "users"] }).help
        #expect(importHelp.contains("Email Address,Display Name,Mobile Phone,Department,memberOf"))
        let serveHelp = try #require(commands.first { $0.path == ["serve"] }).help
        for needed in ["/portal", "/console", "LIFELINE_TWILIO_ACCOUNT_SID", "LIFELINE_WEBHOOK_URL"] {
            #expect(serveHelp.contains(needed), "serve --help names \(needed)")
        }
    }
}
