import ArgumentParser
import LifelineService

extension Lifeline {
    /// `lifeline doctor`: checks the database and fails when anything is wrong.
    struct Doctor: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "doctor",
            abstract: "Check the database: permissions, schema version, migration checksums, integrity, foreign keys.",
            discussion: """
                Exits 65 when any check fails, after printing the report.

                Examples:
                  lifeline doctor
                  lifeline doctor --format json
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let report = try DatabaseMaintenance(global.environment).diagnose()
            ResultWriter(format: output.format).print(
                .list(
                    columns: ["check", "status", "detail"],
                    rows: report.checks.map { [.text($0.name), .text($0.isPassing ? "ok" : "FAIL"), .text($0.detail)] }))
            guard report.isHealthy else {
                throw HealthCheckFailure(failedChecks: report.checks.filter { !$0.isPassing }.map(\.name))
            }
            Diagnostics.note("\(report.databasePath): healthy, schema version \(report.schemaVersion).")
        }
    }
}
