import ArgumentParser
import LifelineService

extension Lifeline {
    /// `lifeline copy`: moves a whole database to another, on either engine.
    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "copy",
            abstract: "Copy the whole database into a new one: SQLite to PostgreSQL, or back.",
            discussion: """
                --to copies the --database into another; --from copies another into the --database. \
                The target is migrated first if it has no schema, and must hold nothing but what \
                `lifeline migrate` puts there: a copy never merges. Every row keeps its id, timestamps \
                and actors (the consent ledger's whole history, the outbox's idempotency keys), all in one \
                transaction on the target, from one snapshot of the source. Before it commits, each table's \
                rows are counted on both sides and the consent ledger's digest compared; on any difference \
                nothing is kept. Stop the servers while it runs: what they write meanwhile is not copied.

                The secret is not in the database: give the servers of the new one the same \
                (LIFELINE_SECRET_FILE naming the old <database>.key), or codes in flight stop working.

                Examples:
                  lifeline --database lifeline.db copy --to postgres://lifeline@db1/lifeline
                  lifeline --database back.db copy --from postgres://lifeline@db1/lifeline
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The database to copy into: a new SQLite file or an empty postgres:// database.") var to: String?
        @Option(help: "The database to copy from, into the --database.") var from: String?

        func validate() throws {
            guard (to == nil) != (from == nil) else { throw ValidationError("name the other database with --to or --from (one of them)") }
            _ = try other
        }

        /// `--to` or `--from`, parsed as `--database` is.
        private var other: DatabaseSettings {
            get throws {
                let text = to ?? from ?? ""
                do {
                    return DatabaseSettings(
                        location: try DatabaseLocation(text, environment: ProcessEnvironment.postgresVariables),
                        busyTimeout: global.settings.busyTimeout)
                } catch let failure as LifelineFailure {
                    throw ValidationError((to == nil ? "--from: " : "--to: ") + failure.message)
                }
            }
        }

        func run() throws {
            let here = global.settings
            let copy = to == nil ? DatabaseCopy(from: try other, to: here) : DatabaseCopy(from: here, to: try other)
            let summary = try copy.run { table, rows in Diagnostics.note("\(table): \(rows) rows") }
            ResultWriter(format: output.format).print(
                .list(columns: ["table", "rows"], rows: summary.tables.map { [.text($0.name), .integer($0.rows)] }))
            Diagnostics.note(
                "copied \(summary.rows) rows from \(summary.source) to \(summary.target) in \(String(format: "%.1f", summary.seconds)) s; "
                    + "every table counted on both sides, \(summary.consentCurrentRows) current consent rows rebuilt, "
                    + "consent ledger digest \(summary.ledgerDigest) on both")
        }
    }
}
