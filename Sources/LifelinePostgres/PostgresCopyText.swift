import FoundationEssentials
import LifelineStore

/// Rows in the text format of PostgreSQL's `COPY … FROM STDIN`: columns separated by tabs,
/// rows by newlines, NULL as `\N`, and a backslash, tab, newline or carriage return inside a
/// value escaped with a backslash, so no value can end its column or row early.
enum PostgresCopyText {
    /// Appends `row` as one line.
    static func append(_ row: [SQLValue], to bytes: inout [UInt8]) {
        for (index, value) in row.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: "\t")) }
            append(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    private static func append(_ value: SQLValue, to bytes: inout [UInt8]) {
        switch value {
        case .null:
            bytes += [UInt8(ascii: "\\"), UInt8(ascii: "N")]
        case .integer(let number):
            bytes += Array(String(number).utf8)
        case .real(let number):
            // Swift's shortest round-trip form, which PostgreSQL's float8 input reads exactly.
            bytes += Array(String(number).utf8)
        case .text(let text):
            for byte in text.utf8 { escaped(byte, to: &bytes) }
        case .blob(let data):
            // bytea's hex input, `\x…`, its backslash itself escaped for COPY.
            bytes += Array("\\\\x".utf8)
            let digits = Array("0123456789abcdef".utf8)
            for byte in data {
                bytes.append(digits[Int(byte >> 4)])
                bytes.append(digits[Int(byte & 0x0F)])
            }
        }
    }

    private static func escaped(_ byte: UInt8, to bytes: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
        case UInt8(ascii: "\t"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
        case UInt8(ascii: "\n"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
        case UInt8(ascii: "\r"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
        default: bytes.append(byte)
        }
    }
}
