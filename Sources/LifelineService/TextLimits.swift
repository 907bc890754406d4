/// The most Lifeline takes of each kind of text that arrives from outside: anything longer is
/// refused, naming the field and the limit, before anything is stored (422 over HTTP, exit 65 in
/// the CLI). One table for every layer: the API, the pages and the CLI all come through here.
///
/// Limits are in UTF-8 bytes, never in Swift `Character`s: one Character can hold any number of
/// combining marks, so a Character count bounds nothing.
public enum TextLimit: Sendable, CaseIterable {
    /// An email address: RFC 5321's 254-byte path limit.
    case email
    /// A person's, group's, event's, key's or profile's name.
    case name
    /// The evidence behind a consent decision, or the operator's notes on an event.
    case evidence
    /// Who acted, as recorded in the ledger (`cli:$USER`, `console:ann@example.com`).
    case actor

    public var maximumBytes: Int {
        switch self {
        case .email: 254
        case .name: 200
        case .evidence: 2_000
        case .actor: 300
        }
    }
}

/// A text over its ``TextLimit``.
public struct TextTooLong: LifelineFailure, Equatable {
    public let field: String
    public let bytes: Int
    public let maximumBytes: Int

    public var kind: FailureKind { .badInput }
    public var message: String { "\(field) is \(bytes) bytes long; at most \(maximumBytes) are accepted" }
    public var remedy: String? { nil }
}

extension TextLimit {
    /// Throws ``TextTooLong`` when `text` is over this limit; `field` names it in the error.
    public func check(_ text: String, field: String) throws(TextTooLong) {
        let bytes = text.utf8.count
        guard bytes <= maximumBytes else { throw TextTooLong(field: field, bytes: bytes, maximumBytes: maximumBytes) }
    }

    /// The same check for an optional text; nil passes.
    public func check(_ text: String?, field: String) throws(TextTooLong) {
        if let text { try check(text, field: field) }
    }
}
