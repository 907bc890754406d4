/// The two things Lifeline does to SQL text before PostgreSQL sees it, both with the same
/// reading of the text (quoted strings, quoted names, `$tag$` bodies and comments are skipped):
/// numbering `?` placeholders `$1`, `$2`… (the store writes `?`, which SQLite reads), and
/// splitting a migration script into statements (the extended query protocol runs one at a time).
enum PostgresSQLText {
    /// `sql` with each `?` outside quotes and comments replaced by `$n`, numbered in order; a
    /// numbered `?3` (SQLite's form for a parameter used twice) becomes `$3`.
    static func numberingPlaceholders(_ sql: String) -> String {
        guard sql.utf8.contains(UInt8(ascii: "?")) else { return sql }
        var output: [UInt8] = []
        output.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var afterMark = false
        scan(sql) { byte, isCode in
            let isDigit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            if afterMark {
                afterMark = false
                if isCode, isDigit {
                    output.append(UInt8(ascii: "$"))
                    output.append(byte)
                    return
                }
                number += 1
                output.append(UInt8(ascii: "$"))
                output.append(contentsOf: String(number).utf8)
            }
            if isCode, byte == UInt8(ascii: "?") {
                afterMark = true
            } else {
                output.append(byte)
            }
        }
        if afterMark {
            number += 1
            output.append(UInt8(ascii: "$"))
            output.append(contentsOf: String(number).utf8)
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The statements of `script`, split at `;` outside quotes, bodies and comments; empty ones dropped.
    static func statements(_ script: String) -> [String] {
        var statements: [String] = []
        var current: [UInt8] = []
        scan(script) { byte, isCode in
            if isCode, byte == UInt8(ascii: ";") {
                statements.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(byte)
            }
        }
        statements.append(String(decoding: current, as: UTF8.self))
        return statements.filter { !isBlank($0) }
    }

    /// Whether a statement holds only white space and comments.
    private static func isBlank(_ statement: String) -> Bool {
        var blank = true
        scan(statement) { byte, isCode in
            if isCode, byte != UInt8(ascii: " "), byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\t"),
                byte != UInt8(ascii: "\r")
            {
                blank = false
            }
        }
        return blank
    }

    /// Calls `visit` with each byte of `sql` and whether it is code (not inside a string, a
    /// quoted name, a dollar-quoted body or a comment).
    private static func scan(_ sql: String, _ visit: (UInt8, Bool) -> Void) {
        let bytes = Array(sql.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            var end: Int?
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                end = closing(byte, in: bytes, after: index)
            case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "-"):
                end = (bytes[index...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count - 1)
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                end = find([UInt8(ascii: "*"), UInt8(ascii: "/")], in: bytes, from: index + 2).map { $0 + 1 }
            case UInt8(ascii: "$"):
                if let tagEnd = dollarTagEnd(bytes, at: index) {
                    let tag = Array(bytes[index...tagEnd])
                    end = find(tag, in: bytes, from: tagEnd + 1).map { $0 + tag.count - 1 }
                }
            default:
                break
            }
            guard let end else {
                visit(byte, true)
                index += 1
                continue
            }
            let last = min(end, bytes.count - 1)
            for quoted in bytes[index...last] { visit(quoted, false) }
            index = last + 1
        }
    }

    /// The index of the quote closing the one at `start` (a doubled quote is part of the text).
    private static func closing(_ quote: UInt8, in bytes: [UInt8], after start: Int) -> Int {
        var index = start + 1
        while index < bytes.count {
            if bytes[index] == quote {
                if index + 1 < bytes.count, bytes[index + 1] == quote {
                    index += 2
                    continue
                }
                return index
            }
            index += 1
        }
        return bytes.count - 1
    }

    /// The index of the `$` ending a `$tag$` opener at `start`, or nil when it is not one
    /// (a `$1` parameter, or a `$` inside a name).
    private static func dollarTagEnd(_ bytes: [UInt8], at start: Int) -> Int? {
        var index = start + 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "$") { return index }
            let isLetter = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || byte == UInt8(ascii: "_")
            let isDigit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            guard isLetter || (isDigit && index > start + 1) else { return nil }
            index += 1
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard start <= bytes.count - needle.count else { return nil }
        return (start...(bytes.count - needle.count)).first { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
