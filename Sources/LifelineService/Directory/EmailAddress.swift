/// Checks the shape of a primary email address (not whether the mailbox exists).
enum EmailAddress {
    /// Why `text` is not a usable address, or nil when it is.
    static func problem(with text: String) -> String? {
        if text.isEmpty { return "missing email" }
        let utf8 = text.utf8
        if utf8.count > 320 { return "malformed email (longer than 320 bytes)" }
        guard let at = utf8.lastIndex(of: UInt8(ascii: "@")) else { return "malformed email '\(text)': no @" }
        let local = utf8[..<at]
        let domain = utf8[utf8.index(after: at)...]
        if local.isEmpty || local.count > 64 { return "malformed email '\(text)': the part before @ must be 1-64 bytes" }
        if domain.isEmpty || !domain.contains(UInt8(ascii: ".")) || domain.first == UInt8(ascii: ".")
            || domain.last == UInt8(ascii: ".")
        {
            return "malformed email '\(text)': the domain needs a dot and no dot at either end"
        }
        if utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") }) {
            return "malformed email '\(text)': spaces, commas, semicolons and control characters are not allowed"
        }
        if domain.contains(UInt8(ascii: "@")) { return "malformed email '\(text)': more than one @" }
        return nil
    }
}
