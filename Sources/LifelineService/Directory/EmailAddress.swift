/// Checks the shape of a primary email address (not whether the mailbox exists).
enum EmailAddress {
    /// Why `text` is not a usable address, or nil when it is.
    static func problem(with text: String) -> String? {
        if text.isEmpty { return "missing email" }
        var text = text
        // One pass over contiguous bytes: this runs for every imported row.
        let shape = text.withUTF8 { bytes -> String? in
            if bytes.count > TextLimit.email.maximumBytes { return "is longer than \(TextLimit.email.maximumBytes) bytes (RFC 5321)" }
            var at = -1
            var lastDot = -1
            for index in bytes.indices {
                let byte = bytes[index]
                switch byte {
                case 0x00...0x20, 0x7F, UInt8(ascii: ","), UInt8(ascii: ";"):
                    return "has spaces, commas, semicolons or control characters"
                case UInt8(ascii: "@"):
                    if at >= 0 { return "has more than one @" }
                    at = index
                case UInt8(ascii: "."):
                    lastDot = index
                default:
                    break
                }
            }
            if at < 0 { return "has no @" }
            if at == 0 || at > 64 { return "needs 1-64 bytes before the @" }
            if lastDot < at + 2 || bytes[at + 1] == UInt8(ascii: ".") || lastDot == bytes.count - 1 {
                return "needs a domain with a dot and no dot at either end"
            }
            return nil
        }
        return shape.map { "malformed email '\(text)': \($0)" }
    }
}
