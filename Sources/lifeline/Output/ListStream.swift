import FoundationEssentials

/// Writes a list's rows as they come, so a million-row report needs no million-row buffer.
///
/// A table measures its column widths on the first `sampleSize` rows, then streams; a later,
/// wider cell pushes its line out rather than holding everything back.
final class ListStream {
    private let format: OutputFormat
    private let columns: [String]
    private let sampleSize: Int
    private let sink: (String) -> Void
    private let onFinish: () -> Void
    private var sample: [[Cell]] = []
    private var widths: [Int]?
    private var rowCount = 0

    init(
        format: OutputFormat, columns: [String], sampleSize: Int = 1000, sink: @escaping (String) -> Void,
        onFinish: @escaping () -> Void = {}
    ) {
        self.onFinish = onFinish
        self.format = format
        self.columns = columns
        self.sampleSize = sampleSize
        self.sink = sink
        if format == .csv { sink(Self.csvLine(columns)) }
    }

    /// A stream to standard output.
    static func standardOutput(format: OutputFormat, columns: [String]) -> ListStream {
        let output = StandardOutput()
        return ListStream(format: format, columns: columns, sink: output.write, onFinish: output.flush)
    }

    func write(_ row: [Cell]) {
        rowCount += 1
        switch format {
        case .csv:
            sink(Self.csvLine(row.map(\.text)))
        case .json:
            sink((rowCount == 1 ? "[\n  " : ",\n  ") + JSONText.object(columns, row))
        case .table:
            if let widths {
                sink(Self.tableLine(row.map { Self.singleLine($0.text) }, numeric: row.map(\.isNumeric), widths: widths))
            } else {
                sample.append(row)
                if sample.count >= sampleSize { flushSample() }
            }
        }
    }

    func finish() {
        switch format {
        case .csv: break
        case .json: sink(rowCount == 0 ? "[]\n" : "\n]\n")
        case .table: if widths == nil { flushSample() }
        }
        onFinish()
    }

    private func flushSample() {
        let header = columns.map { $0.uppercased() }
        let lines = sample.map { $0.map { Self.singleLine($0.text) } }
        var widths = header.map(DisplayWidth.of)
        for line in lines {
            for (index, text) in line.enumerated() where index < widths.count {
                widths[index] = max(widths[index], DisplayWidth.of(text))
            }
        }
        self.widths = widths
        sink(Self.tableLine(header, numeric: header.map { _ in false }, widths: widths))
        sink(Self.tableLine(widths.map { String(repeating: "-", count: $0) }, numeric: [], widths: widths))
        for (line, row) in zip(lines, sample) {
            sink(Self.tableLine(line, numeric: row.map(\.isNumeric), widths: widths))
        }
        sample = []
    }

    static func tableLine(_ texts: [String], numeric: [Bool], widths: [Int]) -> String {
        // One string, appended in place: a million-row table formats every line here.
        var line = ""
        line.reserveCapacity(widths.reduce(2 * texts.count + 1, +))
        for (index, text) in texts.enumerated() {
            if index > 0 { line += "  " }
            let width = index < widths.count ? widths[index] : 0
            let padding = max(0, width - DisplayWidth.of(text))
            if index < numeric.count && numeric[index] {
                appendSpaces(padding, to: &line)
                line += text
            } else {
                line += text
                if index < texts.count - 1 { appendSpaces(padding, to: &line) }
            }
        }
        line += "\n"
        return line
    }

    private static let spaces = String(repeating: " ", count: 256)

    /// Appends `count` spaces as one copy (appending a repeated Character goes one grapheme at a time).
    private static func appendSpaces(_ count: Int, to line: inout String) {
        guard count > 0 else { return }
        // append(contentsOf: Substring) is concrete; `+=` with a Substring is the generic Sequence
        // append, whose first use costs a runtime witness lookup.
        line.append(contentsOf: count <= spaces.utf8.count ? spaces.prefix(count) : Substring(String(repeating: " ", count: count)))
    }

    /// Table cells stay on one line: line breaks and tabs become spaces.
    /// A table cell on one line, its control characters visibly escaped (``VisibleText``).
    static func singleLine(_ text: String) -> String {
        VisibleText.escaped(text)
    }

    static func csvLine(_ fields: [String]) -> String {
        fields.map(csvField).joined(separator: ",") + "\r\n"
    }

    private static func csvField(_ text: String) -> String {
        // Bytes, not Characters: the delimiters are ASCII, and a million-row report calls this for every cell.
        var hasNonASCII = false
        let hasDelimiter = text.utf8.contains { byte in
            if byte >= 0x80 { hasNonASCII = true }
            return byte == 0x2C || byte == 0x22 || (0x0A...0x0D).contains(byte)
        }
        let needsQuotes = hasDelimiter || text.utf8.first == 0x20 || (hasNonASCII && text.unicodeScalars.contains { [0x85, 0x2028, 0x2029].contains($0.value) })
        guard needsQuotes else { return text }
        // Quotes doubled by byte: `String.replacing` compares Characters, and a quote with a
        // combining mark after it (`"\u{301}`) is a different Character that it would leave single.
        var bytes: [UInt8] = [0x22]
        for byte in text.utf8 {
            bytes.append(byte)
            if byte == 0x22 { bytes.append(0x22) }
        }
        bytes.append(0x22)
        return String(decoding: bytes, as: UTF8.self)
    }
}
