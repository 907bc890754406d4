import ArgumentParser
import LifelineService

extension GroupImportMode: ExpressibleByArgument {}

extension Lifeline {
    /// `lifeline import`: loads data from files.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import data from files.",
            discussion: """
                Example:
                  lifeline import users staff.csv --dry-run
                """, subcommands: [Users.self])
    }
}

extension Lifeline.Import {
    /// `lifeline import users FILE`: upserts the user directory from a CSV export.
    struct Users: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "users",
            abstract: "Import users, attributes and groups from a CSV file (RFC 4180, UTF-8).",
            discussion: """
                The header row needs an email column, named email, e-mail, mail, email address, \
                userPrincipalName or primary email (case, spaces, _ and - do not matter). A name column \
                (name, display name, displayName, full name, cn) is the display name, and a groups column \
                (groups, group, memberOf) lists group names separated by `;`. Every other column is an \
                attribute of that name; --map renames any column ("Work Mobile=mobile", "Mail Address=email"). \
                Users are matched by email, ignoring case; an empty cell clears that attribute. By default \
                the import is all-or-nothing: any rejected row means nothing is written (exit 65).

                An accepted header, as Active Directory exports it:
                  Email Address,Display Name,Mobile Phone,Department,memberOf
                Example:
                  lifeline import users staff.csv --map "Mobile Phone=mobile" --dry-run
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: "The CSV file, or - for standard input.")
        var file: String

        @Option(help: "add: add the file's memberships; replace: make each listed user's memberships exactly the file's.")
        var groups: GroupImportMode = .add

        @Flag(help: "Disable active users absent from the file; re-enable disabled users present in it.")
        var disableMissing = false

        @Flag(help: "Write the good rows even when some rows are rejected.")
        var allowPartial = false

        @Option(help: "Write every rejected record, with its line and reason, to this CSV file.")
        var rejectFile: String?

        @Flag(help: "Read and validate everything, report what would happen, write nothing.")
        var dryRun = false

        @Option(help: "HEADER=WHAT: what a column is: email, name, groups, the attribute it fills, or - to ignore it. Repeat for more.")
        var map: [String] = []

        func validate() throws {
            do {
                _ = try ImportOptions.columnMap(reading: map)
            } catch let failure as ImportFailure {
                throw ValidationError("--map: \(failure.message)")
            }
        }

        func run() throws {
            var options = ImportOptions()
            options.groups = groups
            options.disableMissing = disableMissing
            options.allowPartial = allowPartial
            options.rejectFilePath = rejectFile
            options.dryRun = dryRun
            options.columnMap = try ImportOptions.columnMap(reading: map)
            let importer = DirectoryImporter(global.environment)
            let progress = ProgressBar()
            let summary: ImportSummary
            do {
                defer { progress.finish() }
                summary = try importer.importUsers(
                    from: file == "-" ? .standardInput : .file(path: file), path: file, options: options
                ) { update in
                    progress.update(
                        rows: update.rows, seconds: update.seconds, bytesRead: update.bytesRead,
                        totalBytes: update.totalBytes)
                }
            } catch ImportFailure.rowsRejected(let path, let summary) {
                printRejections(summary, path: path)
                ResultWriter(format: output.format).print(Self.table(summary))
                printWarnings(summary)
                throw ImportFailure.rowsRejected(path: path, summary: summary)
            }
            printRejections(summary, path: file)
            ResultWriter(format: output.format).print(Self.table(summary))
            printWarnings(summary)
            if dryRun { Diagnostics.note("Dry run: nothing was written.") }
        }

        /// After the counts, where they are read last: a console account that loses its number
        /// first, in capitals, since that admin can no longer sign in.
        private func printWarnings(_ summary: ImportSummary) {
            for warning in summary.warnings {
                Diagnostics.note((warning.emails.isEmpty ? "warning: " : "WARNING: ") + warning.message)
            }
        }

        private func printRejections(_ summary: ImportSummary, path: String) {
            let shown = summary.firstRejections.prefix(10)
            for rejection in shown {
                Diagnostics.note("\(path):\(rejection.line): \(rejection.reason)")
            }
            if summary.rejected > shown.count {
                Diagnostics.note("… and \(summary.rejected - shown.count) more rejected row(s)"
                    + (rejectFile == nil ? " (--reject-file PATH lists them all)" : " (all in \(rejectFile!))"))
            }
        }

        static func table(_ summary: ImportSummary) -> ResultTable {
            .record(
                [("result", .text(summary.outcome.explanation))] + summary.counts.map { ($0.name, Cell($0.value)) } + [
                    ("seconds", .number((summary.seconds * 1000).rounded() / 1000)), ("written", .bool(summary.isWritten)),
                ])
        }
    }
}
