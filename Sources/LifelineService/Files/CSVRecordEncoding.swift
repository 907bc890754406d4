/// One CSV record written as RFC 4180 says and ``CSVReader`` reads: fields separated by commas,
/// quoted when they hold a comma, a quote or a line break (a quote doubled), ended by CRLF.
public enum CSVRecordEncoding {
    public static func append<Bytes: RangeReplaceableCollection<UInt8>>(_ fields: [[UInt8]], to output: inout Bytes) {
        for (index, field) in fields.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            let needsQuotes = field.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
            if needsQuotes { output.append(UInt8(ascii: "\"")) }
            for byte in field {
                if byte == UInt8(ascii: "\"") { output.append(byte) }
                output.append(byte)
            }
            if needsQuotes { output.append(UInt8(ascii: "\"")) }
        }
        output.append(contentsOf: [0x0D, 0x0A])
    }
}
