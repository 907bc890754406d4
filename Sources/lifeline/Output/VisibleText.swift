/// Text from outside (CSV fields and headers, arguments, settings) made safe to show a person:
/// control characters that would move the cursor, ring, clear the screen or break the line
/// (C0 and C1 controls, DEL) and the bidirectional overrides that reorder what is shown are
/// written as visible escapes: `\n`, `\r`, `\t`, else `\u{1B}`. JSON and CSV output keep the
/// exact data; only what a terminal shows is escaped.
enum VisibleText {
    static func escaped(_ text: String) -> String {
        // Bytes first (every cell of a long table passes here): printable ASCII needs nothing.
        guard text.utf8.contains(where: { $0 < 0x20 || $0 >= 0x7F }) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: result += "\\n"
            case 0x0D: result += "\\r"
            case 0x09: result += "\\t"
            case 0x00..<0x20, 0x7F..<0xA0, 0x202A...0x202E, 0x2066...0x2069:
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
