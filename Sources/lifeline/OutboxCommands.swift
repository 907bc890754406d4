import ArgumentParser
import LifelineService
import LifelineWebhook

extension OutboxStatus: ExpressibleByArgument {}

extension Lifeline {
    /// `lifeline outbox`: the messages waiting to be sent, and what became of them.
    struct Outbox: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "outbox", abstract: "Outgoing messages: what waits, sending it, and delivery receipts.",
            discussion: """
                Examples:
                  lifeline outbox list --status queued
                  lifeline outbox dispatch
                """,
            subcommands: [List.self, Dispatch.self, Receipt.self])

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", abstract: "Outbox messages, oldest first.",
                discussion: """
                    Example:
                      lifeline outbox list --status failed --event 1
                    """)
            @OptionGroup var global: GlobalOptions
            @OptionGroup var output: OutputOptions
            @Option(help: "Only messages with this status.") var status: OutboxStatus?
            @Option(help: "Only this continuity event's alerts.") var event: Int64?

            func run() throws {
                let stream = ListStream.standardOutput(
                    format: output.format,
                    columns: [
                        "id", "created_at", "status", "program", "kind", "event", "destination", "attempts", "provider", "maybe_sent",
                        "last_error", "body",
                    ])
                try OutboxQueries(global.environment).forEachMessage(status: status, eventID: event) {
                    stream.write([
                        .integer($0.id), .date($0.createdAt), .text($0.status.rawValue), .text($0.program.rawValue), .text($0.kind),
                        $0.eventID.map(Cell.integer) ?? .null, .text($0.destination), Cell($0.attempts), Cell($0.provider),
                        Cell($0.maybeSent), Cell($0.lastError), .text($0.body),
                    ])
                }
                stream.finish()
            }
        }
    }
}

extension Lifeline.Outbox {
    struct Dispatch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dispatch", abstract: "Send the messages that are due.",
            discussion: """
                Continuity alerts are checked against consent right before sending: a user who opted out \
                since the alert was queued is skipped (suppressed). Failures are retried with backoff.
                The file gateway appends JSON lines to $LIFELINE_OUTBOX_FILE (default: <database>.outbox.jsonl).
                The webhook gateway posts each message to $LIFELINE_WEBHOOK_URL, signed with $LIFELINE_WEBHOOK_SECRET.
                The twilio gateway sends through Twilio's Messages API ($LIFELINE_TWILIO_*: see docs/serving.md).
                The kannel gateway sends through Kannel's sendsms interface ($LIFELINE_KANNEL_*: see docs/kannel.md).
                Codes and replies go before alerts; a start alert whose event is over, a code past its expiry \
                and anything older than --max-queue-age are expired, never sent.

                Examples:
                  lifeline outbox dispatch --gateway twilio,kannel --gateway-rate twilio=1
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var sending: SendingOptions
        @Option(help: "Send at most this many messages.") var limit: Int?

        func validate() throws {
            if let limit { try OptionRanges.dispatchLimit.check(limit) }
        }

        func run() async throws {
            let environment = global.environment
            let summary = try await OutboxDispatcher(environment).dispatch(
                through: try sending.providers(global: global, environment: environment, publicURL: nil),
                options: sending.dispatchOptions(limit: limit))
            ResultWriter(format: output.format).print(
                .record([
                    ("claimed", Cell(summary.claimed)), ("sent", Cell(summary.sent)), ("suppressed", Cell(summary.suppressed)),
                    ("retried", Cell(summary.retried)), ("failed", Cell(summary.failed)), ("expired", Cell(summary.expired)),
                    ("maybe_sent", Cell(summary.maybeSent)), ("failovers", Cell(summary.failovers)),
                    ("seconds", .number((summary.seconds * 1000).rounded() / 1000)),
                    ("messages_per_second", Cell(summary.seconds > 0 ? Int(Double(summary.sent) / summary.seconds) : 0)),
                ]))
        }
    }

    struct Receipt: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "receipt", abstract: "Record a delivery receipt from the SMS provider.",
            discussion: """
                Example:
                  lifeline outbox receipt SM0123456789abcdef --status delivered
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The outbox message id, or the provider's id for it.") var reference: String
        @Option(help: "delivered or undelivered.") var status: ReceiptStatus
        @Option(help: "The carrier's reason, for an undelivered message.") var error: String?

        func run() throws {
            let result = try OutboxQueries(global.environment).recordReceipt(reference: reference, status: status, error: error)
            print("message \(result.id) is now \(result.status.rawValue)")
        }
    }
}

extension ReceiptStatus: ExpressibleByArgument {}
