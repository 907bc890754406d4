import LifelineService

/// Renders a whole ``ResultTable`` in one of the output formats (for results that fit in memory;
/// long lists stream through ``ListStream``).
struct ResultWriter {
    let format: OutputFormat

    /// The rendered text, ending with a newline.
    func render(_ table: ResultTable) -> String {
        var output = ""
        switch (format, table) {
        case (_, .list(let columns, let rows)):
            let stream = ListStream(format: format, columns: columns, sampleSize: .max) { output += $0 }
            rows.forEach(stream.write)
            stream.finish()
        case (.table, .record(let fields)):
            // A record reads down one column of values: left-aligned, whatever their type.
            let lines = fields.map { [$0.field, ListStream.singleLine($0.value.text)] }
            let width = lines.map { DisplayWidth.of($0[0]) }.max() ?? 0
            for line in lines {
                output += ListStream.tableLine(line, numeric: [false, false], widths: [width, 0])
            }
        case (.json, .record(let fields)):
            output = JSONText.object(fields.map(\.field), fields.map(\.value)) + "\n"
        case (.csv, .record(let fields)):
            output = ListStream.csvLine(fields.map(\.field)) + ListStream.csvLine(fields.map(\.value.text))
        }
        return output
    }

    /// Prints to standard output.
    func print(_ table: ResultTable) {
        Swift.print(render(table), terminator: "")
    }
}

/// JSON text for strings and cells; written by hand so object keys keep the column order.
enum JSONText {
    static func object(_ keys: [String], _ values: [Cell]) -> String {
        "{" + zip(keys, values).map { "\(string($0)): \(value($1))" }.joined(separator: ", ") + "}"
    }

    static func value(_ cell: Cell) -> String {
        switch cell {
        case .text(let text): string(text)
        case .integer(let value): String(value)
        case .number(let value): value.isFinite ? String(value) : "null"
        case .bool(let value): value ? "true" : "false"
        case .null: "null"
        }
    }

    static func string(_ text: String) -> String {
        JSONString.quoted(text)
    }
}
