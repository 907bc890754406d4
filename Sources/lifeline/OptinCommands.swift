import ArgumentParser
import FoundationEssentials
import Glibc
import LifelineService

enum RequestSource: String, ExpressibleByArgument, CaseIterable {
    case portal, admin
}

extension Lifeline {
    /// `lifeline optin`: consent to continuity alerts.
    struct Optin: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "optin",
            abstract: "Consent to continuity alerts: requests, admin records and the operator's questions.",
            discussion: """
                Examples:
                  lifeline optin summary --group Staff
                  lifeline optin status ann.lee@example.com
                """,
            subcommands: [Request.self, Record.self, Status.self, List.self, Summary.self, History.self])
    }
}

extension Lifeline.Optin {
    struct Request: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "request",
            abstract: "Ask a user to opt in: they become pending and get an SMS asking them to reply YES.",
            discussion: """
                Example:
                  lifeline optin request ann.lee@example.com
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var actor: ActorOption
        @Argument(help: "The user's email.") var email: String
        @Option(help: "Who asks: the self-service portal (the user) or an admin.") var source: RequestSource = .portal

        func run() throws {
            let outcome = try ConsentService(global.environment).requestOptIn(
                email: email, source: source == .portal ? .portal : .admin,
                actor: source == .portal && actor.actor == nil ? "portal" : actor.name)
            switch outcome {
            case .confirmationQueued: print("pending: a confirmation request was queued to the user's number")
            case .confirmationResent: print("pending: the confirmation request was queued again")
            case .alreadyPending(let last):
                print("pending: a confirmation request was queued at \(UTCTimestamp.string(from: last)); nothing sent (at most one every \(Int(ConsentService.resendInterval / 60)) minutes)")
            case .alreadyOptedIn: print("opted_in already: nothing sent")
            }
        }
    }

    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "record",
            abstract: "Record consent collected elsewhere (a signed form). Admins cannot undo a user's SMS opt-out.",
            discussion: """
                Several emails, or --stdin (one per line), record the same state and evidence for each, in one \
                process, printing one line per email. An email that fails (unknown, or opted out by SMS) is \
                reported on standard error and the others go on; the exit code is then that failure's.

                Examples:
                  lifeline optin record jonas.berg@example.com --state opted_in \\
                      --evidence "signed form, HR ticket 1142" --actor hr
                  lifeline optin record --stdin --state opted_in --evidence forms < emails.txt
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var actor: ActorOption
        @Argument(help: "The users' emails.") var emails: [String] = []
        @Flag(help: "Read more emails from standard input, one per line (blank lines skipped).") var stdin = false
        @Option(help: "opted_in or opted_out.") var state: ConsentState
        @Option(help: "Where the consent was collected: required, kept in the ledger.") var evidence: String

        func validate() throws {
            if emails.isEmpty && !stdin { throw ValidationError("name an email, or pass --stdin") }
        }

        func run() throws {
            let service = ConsentService(global.environment)
            let many = stdin || emails.count > 1
            var lastFailure: (any LifelineFailure)?
            for email in InputLines.arguments(emails, thenStandardInput: stdin) {
                do {
                    let current = try service.recordAdminDecision(email: email, state: state, evidence: evidence, actor: actor.name)
                    let line = "\(current.state.rawValue) since \(current.since.map(UTCTimestamp.string(from:)) ?? "now")"
                    print(many ? "\(email): \(line)" : line)
                } catch let failure as any LifelineFailure where many {
                    FailureReporter.printError("\(email): \(failure.description)")
                    lastFailure = failure
                }
            }
            if let lastFailure { Glibc.exit(FailureReporter.exitCode(for: lastFailure.kind)) }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "A user's (or every user of a number's) consent: state, number, since when, source, evidence.",
            discussion: """
                Several emails or numbers, or --stdin (one per line), are answered in one process, with a \
                leading `query` column naming the lookup each row answers. A lookup that fails (an unknown \
                email) is reported on standard error and the others go on; the exit code is then that failure's.

                Examples:
                  lifeline optin status ann.lee@example.com "+44 7700 900461"
                  lifeline optin status --stdin < numbers.txt
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Emails, or numbers in any format.") var who: [String] = []
        @Flag(help: "Read more emails or numbers from standard input, one per line (blank lines skipped).")
        var stdin = false

        func validate() throws {
            if who.isEmpty && !stdin { throw ValidationError("name an email or a number, or pass --stdin") }
        }

        func run() throws {
            let columns = ["email", "number", "state", "since", "source", "evidence"]
            let many = stdin || who.count > 1
            let stream = ListStream.standardOutput(format: output.format, columns: many ? ["query"] + columns : columns)
            var lastFailure: (any LifelineFailure)?
            try ConsentService(global.environment).statuses(of: lookups()) { lookup, result in
                switch result {
                case .lines(let lines):
                    for line in lines {
                        let row: [Cell] = [
                            .text(line.email), Cell(line.number), .text(line.state.rawValue),
                            line.since.map(Cell.date) ?? .null, Cell(line.source?.rawValue), Cell(line.evidence),
                        ]
                        stream.write(many ? [.text(lookup)] + row : row)
                    }
                case .failure(let failure):
                    guard many else { throw failure }
                    FailureReporter.printError(failure.description)
                    lastFailure = failure
                }
            }
            stream.finish()
            if let lastFailure { Glibc.exit(FailureReporter.exitCode(for: lastFailure.kind)) }
        }

        private func lookups() -> AnySequence<String> { InputLines.arguments(who, thenStandardInput: stdin) }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "Active users and their consent, by email.",
            discussion: """
                Example:
                  lifeline optin list --state opted_in --group Staff --format csv
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only this state.") var state: ConsentState?
        @Option(help: "Only members of this group.") var group: String?

        func run() throws {
            let stream = ListStream.standardOutput(format: output.format, columns: ["email", "number", "state", "since", "source"])
            try ConsentService(global.environment).forEachListing(state: state, group: group) {
                stream.write([
                    .text($0.email), Cell($0.number), .text($0.state.rawValue), $0.since.map(Cell.date) ?? .null,
                    Cell($0.source?.rawValue),
                ])
            }
            stream.finish()
        }
    }

    struct Summary: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "summary", abstract: "How many active users are in each state.",
            discussion: """
                Example:
                  lifeline optin summary --group Staff
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only members of this group.") var group: String?

        func run() throws {
            let summary = try ConsentService(global.environment).summary(group: group)
            ResultWriter(format: output.format).print(
                .record([
                    ("opted_in", Cell(summary.optedIn)), ("pending", Cell(summary.pending)),
                    ("opted_out", Cell(summary.optedOut)), ("none", Cell(summary.none)),
                    ("no_valid_number", Cell(summary.noValidNumber)), ("total", Cell(summary.total)),
                ]))
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "The consent ledger of a user or a number, oldest first: the consent evidence export.",
            discussion: """
                Example:
                  lifeline optin history ann.lee@example.com --format csv
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "An email, or a number in any format.") var who: String

        func run() throws {
            let entries = try ConsentService(global.environment).history(of: who)
            ResultWriter(format: output.format).print(
                .list(
                    columns: ["recorded_at", "email", "number", "state", "source", "actor", "evidence"],
                    rows: entries.map {
                        [
                            .date($0.recordedAt), .text($0.email), .text($0.number), .text($0.state.rawValue),
                            .text($0.source.rawValue), .text($0.actor), .text($0.evidence),
                        ]
                    }))
        }
    }
}
