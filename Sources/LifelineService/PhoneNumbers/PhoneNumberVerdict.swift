/// Why a value cannot be used as an SMS number.
public enum PhoneNumberProblem: Sendable, Equatable, CustomStringConvertible {
    case letters
    case unexpectedCharacter(Character)
    case tooShort
    case tooLong
    case unknownCountryCode
    case leadingZero
    /// The country's numbers never have this many digits.
    case impossibleLength(callingCode: Int, nationalDigits: Int)
    /// A spreadsheet turned it into a number in scientific notation (`4.47700900123E+11`).
    case spreadsheetMangled
    /// A line that cannot receive an SMS: fixed-line, toll-free, premium-rate, …
    case cannotReceiveSMS(NumberKind)

    public var description: String {
        switch self {
        case .letters: "letters"
        case .unexpectedCharacter(let character): "unexpected character '\(character)'"
        case .tooShort: "too short"
        case .tooLong: "too long"
        case .unknownCountryCode: "unknown country code"
        case .leadingZero: "leading zero: a national number, and no default country is set (lifeline settings set sms.default_country GB)"
        case .impossibleLength(let code, let digits): "+\(code) numbers never have \(digits) national digits"
        case .spreadsheetMangled:
            "a spreadsheet turned it into scientific notation, which hides digits: export the column as text and import again"
        case .cannotReceiveSMS(let kind): "\(kind.phrase): it cannot receive an SMS"
        }
    }

    /// A short machine-friendly name for reports.
    public var code: String {
        switch self {
        case .letters: "letters"
        case .unexpectedCharacter: "unexpected_character"
        case .tooShort: "too_short"
        case .tooLong: "too_long"
        case .unknownCountryCode: "unknown_country_code"
        case .leadingZero: "leading_zero"
        case .impossibleLength: "impossible_length"
        case .spreadsheetMangled: "spreadsheet_mangled"
        case .cannotReceiveSMS: "not_mobile"
        }
    }
}

/// What a stored value is worth as an SMS number.
public enum PhoneNumberVerdict: Sendable, Equatable {
    /// Already in long format.
    case valid(String)
    /// Sent to its long form, though not written in it: the value names its country (`+`,
    /// `00`, `011`, a `tel:` URI) or is a national number of the default country. An extension
    /// written after the number is dropped (an SMS cannot dial one), and said.
    case deliverable(String, droppedExtension: String? = nil)
    /// No value.
    case missing
    /// Cannot be used, and why.
    case invalid(PhoneNumberProblem)
    /// Digits that are probably the suggested long form, written with separators or a trunk
    /// `0` but no country marker: nothing is sent to them until they are rewritten (`--fix`).
    case fixable(String, droppedExtension: String? = nil)

    /// The verdict's name in reports.
    public var name: String {
        switch self {
        case .valid: "valid"
        case .deliverable: "deliverable"
        case .missing: "missing"
        case .invalid: "invalid"
        case .fixable: "fixable"
        }
    }

    /// The long-format number the value reads as: the value itself when valid, what is sent
    /// to when deliverable, the suggestion when fixable.
    public var longFormat: String? {
        switch self {
        case .valid(let number), .deliverable(let number, _), .fixable(let number, _): number
        case .missing, .invalid: nil
        }
    }

    /// The number an SMS goes to: set exactly when valid or deliverable.
    public var destination: String? {
        switch self {
        case .valid(let number), .deliverable(let number, _): number
        case .fixable, .missing, .invalid: nil
        }
    }

    /// The long form `--fix` rewrites the value to, when it is not written so already.
    public var fix: String? {
        switch self {
        case .deliverable(let long, _), .fixable(let long, _): long
        case .valid, .missing, .invalid: nil
        }
    }

    /// What a report says beside the verdict: why it is invalid, or the long form to fix it to.
    public var detail: String {
        switch self {
        case .valid, .missing: ""
        case .invalid(let problem): problem.description
        case .deliverable(let long, let dropped):
            "deliverable; not in long format: \(long)" + Self.dropping(dropped)
        case .fixable(let long, let dropped): long + Self.dropping(dropped)
        }
    }

    private static func dropping(_ dropped: String?) -> String {
        dropped.map { " (the extension \($0) is dropped: an SMS cannot dial one)" } ?? ""
    }
}

/// The rows a number report can be narrowed to: one verdict, or the numbers users share.
public enum NumberReportFilter: String, Sendable, CaseIterable {
    case valid, deliverable, missing, invalid, fixable, shared

    public func includes(_ check: NumberCheck) -> Bool {
        self == .shared ? check.sharedBy > 1 : rawValue == check.verdict.name
    }
}
