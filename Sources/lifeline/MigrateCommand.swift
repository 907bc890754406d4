import ArgumentParser
import LifelineService

extension Lifeline {
    /// `lifeline migrate`: creates the database or brings it to the binary's schema.
    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Create the database, or apply the migrations it lacks.",
            discussion: """
                A database that already has a schema is first copied beside itself with VACUUM INTO, \
                as <database>.bak-<version>-<UTC timestamp>. Each migration is applied in its own \
                transaction: a failure leaves the database at the previous version.

                Examples:
                  lifeline migrate --dry-run
                  lifeline migrate
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Flag(help: "List the pending migrations; create and change nothing.")
        var dryRun = false

        @Flag(help: "Do not back up the database before migrating.")
        var noBackup = false

        func run() throws {
            let maintenance = DatabaseMaintenance(global.environment)
            let writer = ResultWriter(format: output.format)
            if dryRun {
                let plan = try maintenance.plan()
                writer.print(
                    .list(
                        columns: ["version", "name", "file"],
                        rows: plan.pending.map { [Cell($0.version), .text($0.name), .text($0.fileName)] }))
                let state = plan.databaseExists ? "at version \(plan.currentVersion)" : "not created yet"
                Diagnostics.note(
                    "\(plan.pending.count) pending migration(s) for \(plan.databasePath) (\(state)); dry run, nothing changed.")
                return
            }
            let outcome = try maintenance.migrate(backup: !noBackup)
            writer.print(
                .record([
                    ("database", .text(outcome.databasePath)),
                    ("from_version", Cell(outcome.fromVersion)),
                    ("to_version", Cell(outcome.toVersion)),
                    ("applied", .text(outcome.applied.map(\.fileName).joined(separator: " "))),
                    ("backup", Cell(outcome.backupPath)),
                    ("numbers_judged", outcome.numbersJudged.map { Cell($0) } ?? .null),
                ]))
            if outcome.applied.isEmpty && outcome.numbersJudged == nil {
                Diagnostics.note("\(outcome.databasePath) is up to date at version \(outcome.toVersion).")
            }
        }
    }
}
