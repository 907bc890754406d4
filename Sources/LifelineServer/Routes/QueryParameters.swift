import Hummingbird

extension Request {
    /// A query parameter that must be one of a closed set's words (a state, a status); nil when
    /// absent, a 400 naming the parameter and every allowed word when it is none of them.
    func choice<Word: RawRepresentable & CaseIterable>(_ name: String, as _: Word.Type) throws -> Word?
    where Word.RawValue == String {
        guard let text = uri.queryParameters.get(name) else { return nil }
        guard let word = Word(rawValue: text) else {
            let words = Word.allCases.map(\.rawValue).joined(separator: ", ")
            throw Problem(status: .badRequest, code: "usage", detail: "\(name) must be one of \(words), not '\(text)'")
        }
        return word
    }

    /// A yes/no query parameter: `true`/`false` (or `1`/`0`); false when absent.
    func flag(_ name: String) throws -> Bool {
        guard let text = uri.queryParameters.get(name) else { return false }
        switch text {
        case "true", "1": return true
        case "false", "0": return false
        default: throw Problem(status: .badRequest, code: "usage", detail: "\(name) must be true or false, not '\(text)'")
        }
    }

    /// A query parameter that must be there.
    func requiredParameter(_ name: String) throws -> String {
        guard let text = uri.queryParameters.get(name) else { throw Problem.missingParameter(name) }
        return text
    }

    /// A positive whole-number query parameter such as an event id; nil when absent.
    func identifier(_ name: String) throws -> Int64? {
        guard let text = uri.queryParameters.get(name) else { return nil }
        guard let id = Int64(text), id > 0 else {
            throw Problem(status: .badRequest, code: "usage", detail: "\(name) must be a positive whole number, not '\(text)'")
        }
        return id
    }

    /// A whole-number query parameter within `range`; `fallback` when absent.
    func integer(_ name: String, in range: ClosedRange<Int>, default fallback: Int) throws -> Int {
        guard let text = uri.queryParameters.get(name) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw Problem(
                status: .badRequest, code: "usage",
                detail: "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }
}

extension Problem {
    /// 400: a query parameter the route needs is not there.
    static func missingParameter(_ name: String) -> Problem {
        Problem(status: .badRequest, code: "usage", detail: "the query parameter \(name) is missing")
    }
}
