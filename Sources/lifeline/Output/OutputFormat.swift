import ArgumentParser

/// The formats every query command can print.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    /// Aligned columns, for people.
    case table
    /// JSON, for scripts: a list is an array of objects, a record one object.
    case json
    /// RFC 4180 CSV with a header row, for scripts and spreadsheets.
    case csv
}

/// The `--format` option, shared by every query command.
struct OutputOptions: ParsableArguments {
    @Option(help: "Output format.")
    var format: OutputFormat = .table
}
