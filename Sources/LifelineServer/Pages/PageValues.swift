import Mustache

/// What a page template reads, typed: a struct per template (``PageView``) and per row a
/// template repeats.
///
/// Templates spell their keys in snake_case, as HTML does; the properties are Swift's
/// camelCase, and a key reads the property whose name it spells (`start_error` reads
/// `startError`). An optional that is nil reads as absent, so `{{#x}}` hides and `{{^x}}` shows.
protocol PageValues: MustacheParent {}

extension PageValues {
    func child(named key: String) -> Any? {
        PageValueLookup.property(key, of: self).value
    }
}

/// A page's whole view: the template it fills, and the two values the shared header shows
/// when a page has them (a form's error and a notice).
protocol PageView: PageValues {
    static var template: String { get }
    var formError: String? { get }
    var notice: String? { get }
}

extension PageView {
    var formError: String? { nil }
    var notice: String? { nil }
}

enum PageValueLookup {
    /// The property `key` names (snake_case for camelCase), if the type has one, and its value
    /// (nil when an optional is nil).
    static func property(_ key: String, of object: Any) -> (exists: Bool, value: Any?) {
        let name = camelCase(key)
        guard let child = Mirror(reflecting: object).children.first(where: { $0.label == name }) else { return (false, nil) }
        return (true, unwrapped(child.value))
    }

    /// `request_id` → `requestID`, `start_error` → `startError`: Swift's spelling of the key,
    /// initialisms (id, url, sms) in capitals after the first word.
    static func camelCase(_ key: String) -> String {
        guard key.contains("_") else { return key }
        let parts = key.split(separator: "_")
        return String(parts[0])
            + parts.dropFirst().map { ["id", "url", "sms"].contains($0) ? $0.uppercased() : $0.prefix(1).uppercased() + $0.dropFirst() }
            .joined()
    }

    private static func unwrapped(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first.map { unwrapped($0.value) } ?? nil
    }
}

/// The root of a page's render: its view, then the layout every page shares, then the title.
/// Keys found in none of them (nor in a section's own row, which Mustache asks first) are
/// recorded: a template that asks for a value no type has is a mistake, and a checked server
/// (the tests') answers it with an error instead of a blank.
final class PageContext: MustacheParent {
    private let view: any PageView
    private let layout: PageLayout
    private let title: String
    private(set) var unknownKeys: Set<String> = []

    init(view: any PageView, layout: PageLayout, title: String) {
        self.view = view
        self.layout = layout
        self.title = title
    }

    func child(named key: String) -> Any? {
        switch key {
        case "title": return title
        case "form_error": return view.formError
        case "notice": return view.notice
        default: break
        }
        let own = PageValueLookup.property(key, of: view)
        if own.exists { return own.value }
        let shared = PageValueLookup.property(key, of: layout)
        if shared.exists { return shared.value }
        unknownKeys.insert(key)
        return nil
    }
}
