import ArgumentParser
import LifelineService

extension Lifeline {
    /// `lifeline sms`: SMS numbers and messages.
    struct SMS: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sms", abstract: "SMS numbers: the SMS attribute and number verification.",
            discussion: """
                Examples:
                  lifeline sms attribute set mobile
                  lifeline sms verify-numbers --summary
                """,
            subcommands: [Attribute.self, VerifyNumbers.self, Check.self, Inbound.self])
    }
}

/// How verdicts read in reports.
enum NumberCells {
    static func verdictText(_ verdict: PhoneNumberVerdict) -> String {
        switch verdict {
        case .invalid(let problem): "invalid: \(problem)"
        default: verdict.name
        }
    }
}

extension NumberReportFilter: ExpressibleByArgument {}

extension Lifeline.SMS {
    struct Attribute: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "attribute",
            abstract: "Show or choose the attribute that holds SMS numbers.",
            discussion: """
                Examples:
                  lifeline sms attribute
                  lifeline sms attribute set mobile
                """,
            subcommands: [Show.self, Set.self], defaultSubcommand: Show.self)

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "show", abstract: "Show the SMS attribute.",
                discussion: """
                    Example:
                      lifeline sms attribute show --format json
                    """)
            @OptionGroup var global: GlobalOptions
            @OptionGroup var output: OutputOptions

            func run() throws {
                guard let attribute = try SMSNumbers(global.environment).attribute() else {
                    throw DirectoryFailure.noSMSAttribute
                }
                ResultWriter(format: output.format).print(
                    .record([("attribute", .text(attribute.name)), ("users_with_value", Cell(attribute.valueCount))]))
            }
        }

        struct Set: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "set",
                abstract: "Choose the SMS attribute (it must exist); later sends use it at once.",
                discussion: """
                    Example:
                      lifeline sms attribute set mobile
                    """)
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The attribute's name.") var name: String

            func run() throws {
                let attribute = try SMSNumbers(global.environment).setAttribute(named: name)
                Diagnostics.note("SMS numbers are now read from '\(attribute.name)' (\(attribute.valueCount) users have a value).")
            }
        }
    }

    struct VerifyNumbers: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-numbers",
            abstract: "Check every active user's SMS number: valid, deliverable, missing, invalid (why) or fixable (to what).",
            discussion: """
                valid: in long format (country code, digits only). deliverable: sent to, but not in long \
                format (+44 7700 900123, or a national number once sms.default_country is set). fixable: \
                digits that do not name their country (44 7700 900123): not sent to until fixed. Rows go \
                to standard output, the counts per verdict to standard error (or, with --summary, to \
                standard output instead of the rows). --fix rewrites deliverable and fixable values to \
                their long form, in one transaction, and lists each change.

                Examples:
                  lifeline sms verify-numbers --summary
                  lifeline sms verify-numbers --status fixable --format csv > to-check.csv
                  lifeline sms verify-numbers --fix
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(
            help: """
                Read national numbers (a leading trunk 0) as this country's: an ISO code (GB) or a calling \
                code (44). Default: the sms.default_country setting.
                """)
        var defaultCountry: String?
        @Option(help: "Only rows with this verdict (shared: numbers more than one user has).")
        var status: NumberReportFilter?
        @Flag(help: "Print only the counts per verdict.") var summary = false
        @Flag(help: "Rewrite deliverable and fixable values to their long form.") var fix = false

        func run() throws {
            let region = try defaultCountry.map(SMSNumbers.region(named:))
            let numbers = SMSNumbers(global.environment)
            let stream = summary
                ? nil
                : ListStream.standardOutput(
                    format: output.format,
                    columns: fix ? ["email", "before", "after"] : ["email", "value", "verdict", "detail", "shared_by"])
            let filter = status
            let counts = try numbers.verify(defaultRegion: region, fix: fix, report: stream.map { stream in
                { check in
                    if fix {
                        if let long = check.verdict.fix { stream.write([.text(check.email), Cell(check.value), .text(long)]) }
                        return
                    }
                    if let filter, !filter.includes(check) { return }
                    stream.write([
                        .text(check.email), Cell(check.value), .text(check.verdict.name),
                        .text(check.verdict.detail), Cell(check.sharedBy),
                    ])
                }
            })
            stream?.finish()
            let table = ResultTable.record([("attribute", .text(counts.attribute))] + counts.counts.map { ($0.name, Cell($0.value)) })
            if summary {
                ResultWriter(format: output.format).print(table)
            } else {
                // Line by line: a note escapes control characters, a line break among them.
                for line in ResultWriter(format: .table).render(table).split(separator: "\n") {
                    Diagnostics.note(String(line))
                }
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Judge numbers as `verify-numbers` judges users': valid, deliverable, missing, invalid (why) or fixable (to what).",
            discussion: """
                For a number someone gives you, before it goes into the directory. Nothing is read from \
                or written to the database. Several values, or --stdin (one per line), answer one row each.

                Examples:
                  lifeline sms check "+44 7700 900123" "07700 900123" --default-country GB
                  lifeline sms check --stdin < numbers.txt
                """)
        @OptionGroup var output: OutputOptions
        @Argument(help: "Numbers, in any format.") var values: [String] = []
        @Flag(help: "Read more values from standard input, one per line (blank lines skipped).") var stdin = false
        @Option(help: "Read national numbers as this country's: an ISO code (GB) or a calling code (44).")
        var defaultCountry: String?

        func validate() throws {
            if values.isEmpty && !stdin { throw ValidationError("give a number, or pass --stdin") }
        }

        func run() throws {
            let normalizer = PhoneNumberNormalizer(defaultRegion: try defaultCountry.map(SMSNumbers.region(named:)))
            let stream = ListStream.standardOutput(format: output.format, columns: ["value", "verdict", "long_format", "detail"])
            for value in InputLines.arguments(values, thenStandardInput: stdin) {
                let verdict = normalizer.verdict(for: value)
                stream.write([.text(value), .text(verdict.name), Cell(verdict.longFormat), .text(verdict.detail)])
            }
            stream.finish()
        }
    }
}
