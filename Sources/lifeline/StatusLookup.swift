import ArgumentParser
import LifelineService

/// One `optin status` lookup: the parsed arguments and the code that answers it.
///
/// Both the ArgumentParser command and `QuickStatusParser` build one of these, so the two
/// entry points can differ in how fast they parse, never in what they print.
struct StatusLookup: Equatable {
    var database: String?
    var busyTimeoutMilliseconds = 5000
    var format = OutputFormat.table
    var who: String

    func run() throws {
        let settings = GlobalOptions.settings(database: database, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        let lines = try ConsentService(settings: settings).status(of: who)
        ResultWriter(format: format).print(
            .list(
                columns: ["email", "number", "state", "since", "source", "evidence"],
                rows: lines.map {
                    [
                        .text($0.email), Cell($0.number), .text($0.state.argument),
                        $0.since.map(Cell.date) ?? .null, Cell($0.source?.rawValue), Cell($0.evidence),
                    ]
                }))
    }
}

/// Recognises the plain forms of `lifeline optin status WHO` before ArgumentParser runs.
///
/// ArgumentParser builds its whole command model by reflection at every start: 18M of the 32M
/// instructions of a status lookup, which made it 2–3× the sqlite3 CLI's time for the same
/// query. On-call scripts run this lookup once per number, so it skips that work. Only the
/// unambiguous forms are taken; anything else (help, an unknown or repeated option, a missing
/// value, a bad format) returns nil and ArgumentParser parses and reports it as for any command.
enum QuickStatusParser {
    static func lookup(from arguments: some Collection<String>) -> StatusLookup? {
        var words: [String] = []
        var database: String?, busyTimeout: Int?, format: OutputFormat?
        var remaining = arguments[...]
        while let token = remaining.popFirst() {
            guard token.hasPrefix("-") else {
                words.append(token)
                continue
            }
            let name: Substring, value: String
            if let equals = token.firstIndex(of: "=") {
                name = token[..<equals]
                value = String(token[token.index(after: equals)...])
            } else {
                guard let next = remaining.popFirst(), !next.hasPrefix("-") else { return nil }
                name = token[...]
                value = next
            }
            switch name {
            case "--database" where database == nil && !value.isEmpty:
                database = value
            case "--busy-timeout" where busyTimeout == nil:
                guard let milliseconds = Int(value), milliseconds >= 0 else { return nil }
                busyTimeout = milliseconds
            case "--format" where format == nil:
                guard let parsed = OutputFormat(rawValue: value) else { return nil }
                format = parsed
            default:
                return nil
            }
        }
        guard words.count == 3, words[0] == "optin", words[1] == "status" else { return nil }
        return StatusLookup(
            database: database, busyTimeoutMilliseconds: busyTimeout ?? 5000, format: format ?? .table, who: words[2])
    }
}
