import ArgumentParser
import LifelineService

extension Lifeline {
    /// `lifeline codes`: one-time verification codes.
    struct Codes: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "codes",
            abstract: "One-time verification codes for password reset and 2-step login.",
            discussion: """
                Examples:
                  lifeline codes request ann.lee@example.com --purpose two_step
                  lifeline codes verify vr-0d3c… 482913
                """,
            subcommands: [Request.self, Verify.self, Status.self, Purge.self])
    }
}

extension Lifeline.Codes {
    struct Request: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "request",
            abstract: "What the portal calls when a user asks for a code: records the request and, if allowed, queues one SMS.",
            discussion: """
                Prints the request id and its status (sent, rate_limited or rejected), never the code.

                Example:
                  lifeline codes request ann.lee@example.com --purpose two_step \\
                      --request-id app-42
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The user's email.") var email: String
        @Option(help: "What the code is for.") var purpose: VerificationPurpose
        @Option(help: "The portal's id for this request: repeating it returns the first outcome and sends nothing.")
        var requestID: String?

        func run() throws {
            let outcome = try VerificationService(global.environment).request(
                email: email, purpose: purpose, requestID: requestID)
            ResultWriter(format: output.format).print(
                .record([
                    ("request_id", .text(outcome.requestID)), ("status", .text(outcome.status.rawValue)),
                    ("retry_after", outcome.retryAfter.map(Cell.date) ?? .null), ("repeat", .bool(outcome.isRepeat)),
                ]))
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify", abstract: "Check a code.",
            discussion: """
                Prints the outcome. Exit codes: 0 approved, 10 incorrect (attempts left are printed), 11 expired, \
                12 max_attempts_reached, 13 already_used, 14 superseded, 15 not_found.

                Example:
                  lifeline codes verify app-42 482913
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The request id `codes request` printed.") var requestID: String
        @Argument(help: "The code the user typed.") var code: String

        func run() throws {
            try VerificationAnswer.print(try VerificationService(global.environment).verify(requestID: requestID, code: code))
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status", abstract: "A request's state, attempts and times (never the code).",
            discussion: """
                Example:
                  lifeline codes status app-42 --format json
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The request id.") var requestID: String

        func run() throws {
            guard let view = try VerificationService(global.environment).status(requestID: requestID) else {
                throw VerificationLookupFailure.notFound(requestID)
            }
            ResultWriter(format: output.format).print(
                .record([
                    ("request_id", .text(view.requestID)), ("email", .text(view.email)),
                    ("purpose", .text(view.purpose.rawValue)), ("origin", .text(view.origin.rawValue)), ("channel", .text(view.channel.rawValue)),
                    ("state", .text(view.state.rawValue)), ("reason", Cell(view.reason)),
                    ("number", Cell(view.number)), ("attempts", Cell(view.attempts)), ("created_at", .date(view.createdAt)),
                    ("expires_at", view.expiresAt.map(Cell.date) ?? .null), ("used_at", view.usedAt.map(Cell.date) ?? .null),
                    ("retry_after", view.retryAfter.map(Cell.date) ?? .null),
                ]))
        }
    }

    struct Purge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "purge",
            abstract: "Delete requests and verification messages that ended more than a while ago (the nightly job).",
            discussion: """
                Example:
                  lifeline codes purge --older-than 24h
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "How long ago they ended: 90s, 30m, 24h or 7d.") var olderThan = "24h"
        @Option(help: "The most rows one transaction deletes (it commits sooner once it has held the write lock 20 ms).")
        var batchSize = 10_000

        func validate() throws {
            try OptionRanges.purgeBatchSize.check(batchSize)
            guard let seconds = DurationArgument.seconds(in: olderThan) else {
                throw ValidationError("--older-than '\(olderThan)' is not a duration such as 90s, 30m, 24h or 7d")
            }
            guard OptionRanges.purgeAgeSeconds.contains(seconds) else {
                throw ValidationError("--older-than must be from 0s to 3650d, not \(olderThan)")
            }
        }

        func run() throws {
            let summary = try VerificationService(global.environment).purge(
                olderThan: .seconds(DurationArgument.seconds(in: olderThan) ?? 0), batchSize: batchSize)
            ResultWriter(format: output.format).print(
                .record([
                    ("rows_purged", Cell(summary.rows)), ("requests", Cell(summary.requestsDeleted)),
                    ("messages", Cell(summary.messagesDeleted)), ("batches", Cell(summary.batches)),
                    ("seconds", .number((summary.seconds * 1000).rounded() / 1000)),
                    ("slowest_batch_ms", .number((summary.slowestBatchMilliseconds * 10).rounded() / 10)),
                    ("largest_batch", Cell(summary.largestBatch)),
                ]))
        }
    }
}

/// `90s`, `30m`, `24h`, `7d`.
enum DurationArgument {
    /// The duration in seconds; nil when it is not one or does not fit in an Int (the caller
    /// then checks its documented range).
    static func seconds(in text: String) -> Int? {
        guard let unit = text.last, let amount = Int(text.dropLast()), amount >= 0 else { return nil }
        let multiplier: Int? =
            switch unit {
            case "s": 1
            case "m": 60
            case "h": 3600
            case "d": 86_400
            default: nil
            }
        guard let multiplier else { return nil }
        let (seconds, overflow) = amount.multipliedReportingOverflow(by: multiplier)
        return overflow ? Int.max : seconds
    }
}

/// `codes status` for an id that was never requested.
enum VerificationLookupFailure: LifelineFailure {
    case notFound(String)
    var kind: FailureKind { .inputMissing }
    var message: String {
        switch self {
        case .notFound(let id): "no verification request has the id '\(id)'"
        }
    }
    var remedy: String? { nil }
}
