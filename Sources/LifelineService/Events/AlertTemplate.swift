import LifelineStore

/// An event's start or end message as the operator wrote it, with `{event}` (the event's name)
/// and `{name}` (the recipient's display name) to fill in.
public struct AlertTemplate: Sendable, Equatable {
    public static let placeholders = ["event", "name"]
    /// SMS bodies longer than this are refused: ten concatenated UCS-2 parts.
    public static let maximumLength = 670

    public let text: String

    /// Checks the placeholders: a `{word}` that is not one of ``placeholders`` is an error, so a
    /// typo such as `{nmae}` is caught at create time instead of reaching a thousand phones.
    public init(_ text: String, field: String) throws {
        guard !text.trimmingBlanks().isEmpty else { throw EventFailure.emptyMessage(field: field) }
        // Scalars, not Characters: one Character can carry any number of combining marks.
        let length = text.unicodeScalars.count
        guard length <= Self.maximumLength else {
            throw EventFailure.messageTooLong(field: field, length: length, maximum: Self.maximumLength)
        }
        for placeholder in Self.placeholderNames(in: text) where !Self.placeholders.contains(placeholder) {
            throw EventFailure.unknownPlaceholder(field: field, placeholder: placeholder)
        }
        self.text = text
    }

    /// The body for one event: `{event}` filled in, split around `{name}` for the fan-out to fill.
    public func body(eventName: String) -> PersonalisedBody {
        PersonalisedBody(
            parts: text.split(separator: "{name}", omittingEmptySubsequences: false).map {
                String($0).replacing("{event}", with: eventName)
            })
    }

    /// The message one recipient gets.
    public func rendered(eventName: String, recipientName: String) -> String {
        body(eventName: eventName).parts.joined(separator: recipientName)
    }

    /// Every `{word}` in the text (letters, digits, `_`), in order.
    static func placeholderNames(in text: String) -> [String] {
        var names: [String] = []
        var rest = text[...]
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(where: { !($0.isLetter || $0.isNumber || $0 == "_") }),
                after[close] == "}", close > after.startIndex
            else {
                rest = after
                continue
            }
            names.append(String(after[..<close]))
            rest = after[after.index(after: close)...]
        }
        return names
    }
}
