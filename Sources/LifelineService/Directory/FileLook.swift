/// What a file that should be UTF-8 CSV text looks like instead, judged from its first bytes,
/// so an admin who exported the wrong thing is told what it is and how to export CSV.
enum FileLook {
    /// A description such as "a zip file, such as an Excel workbook (.xlsx)", or nil when the
    /// bytes could be UTF-8 text.
    static func problem(with prefix: ArraySlice<UInt8>) -> String? {
        let bytes = Array(prefix)
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "a zip file, such as an Excel workbook (.xlsx)" }
        if bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { return "an older Excel workbook (.xls)" }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return "UTF-16 text (it starts with a UTF-16 byte-order mark)"
        }
        if bytes.contains(0) { return "binary data (it holds NUL bytes)" }
        // Text in another encoding is caught in the header row (ImportHeader); a bad byte in a
        // later row rejects only that row, as any bad cell does.
        return nil
    }
}
