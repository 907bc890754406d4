/// Renders a ``ResultTable`` in one of the output formats.
struct ResultWriter {
    let format: OutputFormat

    /// The rendered text, ending with a newline.
    func render(_ table: ResultTable) -> String {
        switch (format, table) {
        case (.table, .list(let columns, let rows)): renderTable(columns: columns, rows: rows)
        case (.table, .record(let fields)):
            // A record reads down one column of values: left-aligned, whatever their type.
            renderTable(columns: nil, rows: fields.map { [.text($0.field), .text($0.value.text)] })
        case (.json, .list(let columns, let rows)):
            rows.isEmpty
                ? "[]\n"
                : "[\n" + rows.map { "  " + jsonObject(columns, $0) }.joined(separator: ",\n") + "\n]\n"
        case (.json, .record(let fields)): jsonObject(fields.map(\.field), fields.map(\.value)) + "\n"
        case (.csv, .list(let columns, let rows)):
            ([columns.map(csvField)] + rows.map { $0.map { csvField($0.text) } })
                .map { $0.joined(separator: ",") + "\r\n" }.joined()
        case (.csv, .record(let fields)):
            ([fields.map { csvField($0.field) }, fields.map { csvField($0.value.text) }])
                .map { $0.joined(separator: ",") + "\r\n" }.joined()
        }
    }

    /// Prints to standard output.
    func print(_ table: ResultTable) {
        Swift.print(render(table), terminator: "")
    }

    private func renderTable(columns: [String]?, rows: [[Cell]]) -> String {
        let header = columns.map { $0.map { $0.uppercased() } }
        let lines = rows.map { $0.map { Self.singleLine($0.text) } }
        let columnCount = max(header?.count ?? 0, rows.map(\.count).max() ?? 0)
        var widths = [Int](repeating: 0, count: columnCount)
        for line in (header.map { [$0] } ?? []) + lines {
            for (index, text) in line.enumerated() {
                widths[index] = max(widths[index], DisplayWidth.of(text))
            }
        }
        func format(_ texts: [String], numeric: [Bool]) -> String {
            texts.enumerated().map { index, text in
                let padding = String(repeating: " ", count: widths[index] - DisplayWidth.of(text))
                let isLast = index == texts.count - 1
                if numeric[index] { return padding + text }
                return isLast ? text : text + padding
            }.joined(separator: "  ") + "\n"
        }
        var output = ""
        if let header {
            output += format(header, numeric: header.map { _ in false })
            output += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        }
        for (line, row) in zip(lines, rows) {
            output += format(line, numeric: row.map(\.isNumeric))
        }
        return output
    }

    /// Table cells stay on one line: line breaks and tabs become visible spaces.
    private static func singleLine(_ text: String) -> String {
        guard text.contains(where: { $0.isNewline || $0 == "\t" }) else { return text }
        return String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }

    private func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) || text.hasPrefix(" ") else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private func jsonObject(_ keys: [String], _ values: [Cell]) -> String {
        "{" + zip(keys, values).map { "\(JSONText.string($0)): \(JSONText.value($1))" }.joined(separator: ", ") + "}"
    }
}

/// JSON text for strings and cells; written by hand so object keys keep the column order.
enum JSONText {
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
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
