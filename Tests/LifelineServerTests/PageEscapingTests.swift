import Mustache
import Testing

@testable import LifelineServer

/// Every value a page shows is escaped per byte: markup glued to a combining mark or a prepended
/// format character (one grapheme cluster with it) is escaped like any other.
struct PageEscapingTests {
    /// Values that swift-mustache's per-Character escaping lets through raw.
    static let hostileValues = [
        "Server room \u{0600}<form action=/console/sms/attribute method=post id=x>",
        "x\"\u{0301} autofocus onfocus=alert(1) \"",
        "'\u{0301}><img src=x>",
        "a&\u{0301}lt;b",
    ]

    /// Answers every name a template asks for with `value`, so every variable is filled and every
    /// section shown once (a section's inner names fall back to this same parent).
    struct Everywhere: MustacheParent {
        let value: String
        func child(named: String) -> Any? { value }
    }

    @Test(arguments: hostileValues)
    func everyTemplateEscapesEveryFieldPerScalar(_ value: String) throws {
        let names = WebFiles.embeddedFiles.map(\.name).filter { $0.hasSuffix(".mustache") }
        #expect(names.count >= 15)
        for name in names {
            let template = String(name.dropLast(".mustache".count))
            let html = try #require(WebFiles.templates.render(Everywhere(value: value), withTemplate: template))
            let bytes = Array(html.utf8)
            for raw in ["<form action=/console", "<img src=x>", "\"\u{0301} autofocus", "'\u{0301}>", "&\u{0301}lt;"] {
                #expect(!bytes.contains(Array(raw.utf8)), "\(name) shows \(raw) unescaped")
            }
        }
    }

    @Test func escapingWorksPerByteAndLeavesOtherTextAlone() {
        #expect(HTMLText.escaped("\u{0600}<b>") == "\u{0600}&lt;b&gt;")
        #expect(HTMLText.escaped("\"\u{0301}'&") == "&quot;\u{0301}&#39;&amp;")
        #expect(HTMLText.escaped("Zoë – 🇬🇧") == "Zoë – 🇬🇧")
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs as a run of bytes.
    func contains(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return false }
        return (0...(count - needle.count)).contains { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
