import ArgumentParser
import Glibc
import LifelineService

/// The `lifeline` command: parses arguments, calls the service, formats results.
@main
struct Lifeline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifeline",
        abstract: "SMS directory and continuity notifications for when email is down.",
        discussion: """
            Exit codes: 0 ok, 64 usage, 65 bad input data, 66 input missing, 69 gateway unavailable, \
            70 internal error, 75 database busy (try again), 78 configuration error; \
            `codes verify`, `reset verify` and `auth verify` also 10-15, `auth check` 20-22 (see their help).

            Examples:
              lifeline --version
              lifeline import users staff.csv --map "Work Mobile=mobile"
              lifeline --database /srv/lifeline/lifeline.db serve
            """,
        subcommands: [
            Migrate.self, Doctor.self, Copy.self, Import.self, Users.self, Attributes.self, Groups.self, SMS.self, Optin.self, Events.self, Outbox.self, Codes.self, Reset.self, Auth.self, Policy.self, Profiles.self, Settings.self, Secret.self, Serve.self, APIKeysCommand.self, Admins.self, Kannel.self, Sync.self, Templates.self,
        ]
    )

    // Declared here as well as in each command, so `lifeline --database PATH <area> <verb>` parses.
    @OptionGroup var global: GlobalOptions

    // The root's own flag, not the configuration's `version`, which argument-parser would
    // offer on every subcommand, where it means nothing.
    @Flag(help: "Show the version.") var version = false

    mutating func run() async throws {
        guard version else { throw CleanExit.helpRequest(self) }
        print(LifelineVersion.description)
    }

    /// Runs the command; failures become one line on stderr and their exit code, never a trace.
    static func main() async {
        do {
            var command = try parseAsRoot()
            // argument-parser reads a root flag after any subcommand: a `--version` meant for
            // the subcommand would otherwise run it, quietly.
            if !(command is Lifeline), CommandLine.arguments.dropFirst().contains("--version") {
                throw ValidationError("--version belongs to `lifeline` alone: lifeline --version")
            }
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let failure as any LifelineFailure {
            FailureReporter.exit(with: failure)
        } catch {
            let code = exitCode(for: error)
            if code == .failure {
                // Not a parsing error and not one of ours: a bug; say so plainly.
                FailureReporter.printError("internal error: \(error) — please report it")
                Glibc.exit(FailureReporter.exitCode(for: .internal))
            }
            guard code != .success else { exit(withError: error) }
            // The parser's own message echoes the value it refused: escaped line by line, like
            // every Lifeline error, so an argument cannot move the cursor or fake a line.
            let message = fullMessage(for: error)
            if !message.isEmpty {
                let lines = message.split(separator: "\n", omittingEmptySubsequences: false).map { VisibleText.escaped(String($0)) }
                FileDescriptorWriter.standardError.writeIgnoringErrors(lines.joined(separator: "\n") + "\n")
            }
            Glibc.exit(code.rawValue)
        }
    }
}
