import Mustache

/// Text made safe inside HTML, element content and quoted attributes alike: `&`, `<`, `>`, `"`
/// and `'` become character references.
///
/// By UTF-8 byte, never by `Character`: a grapheme cluster can glue a combining mark or a
/// prepended format character to `<` or `"` (`"\u{0600}<"`, `"\"\u{0301}"`), and a per-Character
/// table lookup (as swift-mustache 2.1.1's own HTML escaping does) then lets the markup through.
/// The five are ASCII, so no byte of them ever sits inside another scalar's encoding.
enum HTMLText {
    static func escaped(_ text: String) -> String {
        let utf8 = text.utf8
        guard utf8.contains(where: needsEscape) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count + 16)
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "&"): bytes += Array("&amp;".utf8)
            case UInt8(ascii: "<"): bytes += Array("&lt;".utf8)
            case UInt8(ascii: ">"): bytes += Array("&gt;".utf8)
            case UInt8(ascii: "\""): bytes += Array("&quot;".utf8)
            case UInt8(ascii: "'"): bytes += Array("&#39;".utf8)
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "\"")
            || byte == UInt8(ascii: "'")
    }
}

/// The pages' content type for swift-mustache: every `{{value}}` escaped by ``HTMLText``.
///
/// Registered under ``name`` and put at the head of every template as it is loaded
/// (``WebFiles/templates``): swift-mustache starts each template, partials included, with its
/// own per-Character HTML type, so a template must switch itself.
struct ScalarHTMLContentType: MustacheContentType {
    static let name = "LIFELINE_HTML"
    static let pragma = "{{% CONTENT_TYPE: \(name) }}"

    func escapeText(_ text: String) -> String {
        HTMLText.escaped(text)
    }
}
