import ArgumentParser
import FoundationEssentials
import Glibc
import LifelineService

extension Lifeline.SMS {
    struct Inbound: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inbound",
            abstract: "Handle a received SMS: STOP and friends opt out, START/YES opt in, HELP answers.",
            discussion: """
                Example:
                  lifeline sms inbound --from "+44 7700 900461" --text STOP
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "The sender's number, in any format.") var from: String
        @Option(help: "The message text.") var text: String

        func run() throws {
            let outcome = try ConsentService(global.environment).handleInbound(from: from, text: text)
            var line = outcome.action
            if !outcome.changedUsers.isEmpty { line += ": " + outcome.changedUsers.joined(separator: ", ") }
            if outcome.replied { line += " (reply queued)" }
            print(line)
        }
    }
}
