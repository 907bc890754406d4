import ArgumentParser
import LifelineService

extension OutboxStatus: ExpressibleByArgument {}

extension Lifeline {
    /// `lifeline outbox`: the messages waiting to be sent, and what became of them.
    struct Outbox: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "outbox", abstract: "The messages waiting to be sent.", subcommands: [List.self])

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", abstract: "Outbox messages, oldest first.")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var output: OutputOptions
            @Option(help: "Only messages with this status.") var status: OutboxStatus?

            func run() throws {
                let stream = ListStream.standardOutput(
                    format: output.format,
                    columns: ["id", "created_at", "status", "program", "kind", "destination", "body"])
                try OutboxQueries(settings: global.settings).forEachMessage(status: status) {
                    stream.write([
                        .integer($0.id), .date($0.createdAt), .text($0.status), .text($0.program), .text($0.kind),
                        .text($0.destination), .text($0.body),
                    ])
                }
                stream.finish()
            }
        }
    }
}
