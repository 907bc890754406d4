import FoundationEssentials
import LifelineStore

/// The schemas Lifeline speaks, by URN.
public enum SCIMSchema {
    public static let user = "urn:ietf:params:scim:schemas:core:2.0:User"
    public static let group = "urn:ietf:params:scim:schemas:core:2.0:Group"
    public static let enterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    public static let listResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    public static let patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    public static let error = "urn:ietf:params:scim:api:messages:2.0:Error"
    public static let searchRequest = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"

    /// The URNs a path may start with.
    static let known = [user, group, enterpriseUser]
    /// The extension schemas, whose attributes live in an object named by the URN.
    static let extensions = [enterpriseUser]
}

/// An attribute path (RFC 7644 §3.10): `userName`, `name.formatted`,
/// `phoneNumbers[type eq "mobile"].value`, `urn:…:enterprise:2.0:User:department`, or an
/// extension's URN alone.
public struct SCIMPath: Sendable, Equatable {
    /// The extension the attribute belongs to; nil for the resource's core schema.
    public var schema: String?
    /// The attribute; nil when the path names a whole extension.
    public var attribute: String?
    /// Which values of a multi-valued attribute it means.
    public var filter: SCIMFilter?
    public var subAttribute: String?

    public init(schema: String? = nil, attribute: String?, filter: SCIMFilter? = nil, subAttribute: String? = nil) {
        self.schema = schema
        self.attribute = attribute
        self.filter = filter
        self.subAttribute = subAttribute
    }

    /// Reads a path; throws `invalidPath` saying what is wrong.
    public init(parsing text: String) throws {
        var rest = Substring(text.trimmingBlanks())
        let folded = ASCIICaseFold.folded(String(rest))
        schema = nil
        if folded.hasPrefix("urn:") {
            guard let urn = SCIMSchema.known.first(where: { folded == ASCIICaseFold.folded($0) || folded.hasPrefix(ASCIICaseFold.folded($0) + ":") })
            else { throw SCIMFailure.invalidPath("'\(text)' names a schema this server does not have") }
            rest = rest.dropFirst(urn.count)
            if SCIMSchema.extensions.contains(urn) { schema = urn }
            if rest.isEmpty {
                guard schema != nil else { throw SCIMFailure.invalidPath("'\(text)' names no attribute") }
                attribute = nil
                filter = nil
                subAttribute = nil
                return
            }
            rest = rest.dropFirst()
        }
        guard let name = Self.name(&rest) else { throw SCIMFailure.invalidPath("'\(text)' does not start with an attribute name") }
        attribute = name
        filter = nil
        subAttribute = nil
        if rest.first == "[" {
            guard let close = Self.closingBracket(in: rest) else { throw SCIMFailure.invalidPath("'\(text)' has a '[' that is never closed") }
            filter = try SCIMFilter(parsing: String(rest[rest.index(after: rest.startIndex)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        if rest.first == "." {
            rest = rest.dropFirst()
            guard let sub = Self.name(&rest) else { throw SCIMFailure.invalidPath("'\(text)' has no sub-attribute after the '.'") }
            subAttribute = sub
        }
        guard rest.isEmpty else { throw SCIMFailure.invalidPath("'\(text)' has '\(rest)' after the attribute") }
    }

    /// The path's dotted name without its filter (`emails.value`), for comparing names.
    public var dottedName: String {
        [attribute, subAttribute].compactMap { $0 }.joined(separator: ".")
    }

    private static func name(_ text: inout Substring) -> String? {
        let end = text.firstIndex { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "$") } ?? text.endIndex
        guard end > text.startIndex, text.first?.isLetter == true || text.first == "$" else { return nil }
        let name = String(text[..<end])
        text = text[end...]
        return name
    }

    /// The `]` that closes the `[` at the start, skipping any inside quoted strings.
    private static func closingBracket(in text: Substring) -> Substring.Index? {
        var inString = false
        var escaped = false
        for index in text.indices.dropFirst() {
            let character = text[index]
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
            } else if character == "\"" {
                inString = true
            } else if character == "]" {
                return index
            }
        }
        return nil
    }
}

/// A SCIM filter (RFC 7644 §3.4.2.2): comparisons, `pr`, `and`, `or`, `not (…)`, parentheses
/// and value paths (`emails[type eq "work"]`).
public indirect enum SCIMFilter: Sendable, Equatable {
    public enum Comparison: String, Sendable, CaseIterable {
        case eq, ne, co, sw, ew, gt, ge, lt, le
    }

    case compare(SCIMPath, Comparison, SCIMValue)
    case present(SCIMPath)
    case and(SCIMFilter, SCIMFilter)
    case or(SCIMFilter, SCIMFilter)
    case not(SCIMFilter)
    case valuePath(SCIMPath, SCIMFilter)

    /// Reads a filter; throws `invalidFilter` saying what is wrong and where.
    public init(parsing text: String) throws {
        var parser = Parser(tokens: try Self.tokens(text), text: text)
        self = try parser.parseOr()
        if let extra = parser.peek() { throw SCIMFailure.invalidFilter("unexpected '\(extra.text)' in the filter '\(text)'") }
    }

    /// Whether one value of a multi-valued attribute (an object such as `{"type": "mobile",
    /// "value": "…"}`) matches; text compares ignoring case.
    public func matches(_ element: SCIMValue) -> Bool {
        switch self {
        case .and(let left, let right): return left.matches(element) && right.matches(element)
        case .or(let left, let right): return left.matches(element) || right.matches(element)
        case .not(let inner): return !inner.matches(element)
        case .present(let path): return !(Self.value(at: path, in: element)?.isEmpty ?? true)
        case .valuePath(let path, let inner):
            return (Self.value(at: path, in: element)?.array ?? []).contains { inner.matches($0) }
        case .compare(let path, let comparison, let wanted):
            guard let found = Self.value(at: path, in: element) else { return comparison == .ne }
            if let values = found.array { return values.contains { Self.compare($0, comparison, wanted) } }
            return Self.compare(found, comparison, wanted)
        }
    }

    private static func value(at path: SCIMPath, in element: SCIMValue) -> SCIMValue? {
        guard let object = element.object, let attribute = path.attribute else { return nil }
        let top = object[attribute]
        guard let sub = path.subAttribute else { return top }
        return top?.object?[sub]
    }

    private static func compare(_ found: SCIMValue, _ comparison: Comparison, _ wanted: SCIMValue) -> Bool {
        if case .bool(let wantedBool) = wanted {
            let actual = found.tolerantBool
            return comparison == .eq ? actual == wantedBool : comparison == .ne ? actual != wantedBool : false
        }
        guard let actual = found.scalarText.map(ASCIICaseFold.folded), let text = wanted.scalarText.map(ASCIICaseFold.folded) else {
            return comparison == .ne
        }
        switch comparison {
        case .eq: return actual == text
        case .ne: return actual != text
        case .co: return actual.contains(text)
        case .sw: return actual.hasPrefix(text)
        case .ew: return actual.hasSuffix(text)
        case .gt: return actual > text
        case .ge: return actual >= text
        case .lt: return actual < text
        case .le: return actual <= text
        }
    }

    /// The filter as the store can run it, each attribute's dotted name (`userName`,
    /// `emails.value`) given to `field`; one it cannot answer is an `invalidFilter`.
    func predicate(field: (String) -> ProvisionedField?) throws -> ProvisionedPredicate {
        func resolve(_ path: SCIMPath, prefix: String? = nil) throws -> ProvisionedField {
            let name = [prefix, path.dottedName].compactMap { $0 }.joined(separator: ".")
            guard let found = field(ASCIICaseFold.folded(name)) else {
                throw SCIMFailure.invalidFilter("this server cannot filter on '\(name)'")
            }
            return found
        }
        func convert(_ filter: SCIMFilter, prefix: String?) throws -> ProvisionedPredicate {
            switch filter {
            case .and(let left, let right): return .and(try convert(left, prefix: prefix), try convert(right, prefix: prefix))
            case .or(let left, let right): return .or(try convert(left, prefix: prefix), try convert(right, prefix: prefix))
            case .not(let inner): return .not(try convert(inner, prefix: prefix))
            case .present(let path): return .present(try resolve(path, prefix: prefix))
            case .valuePath(let path, let inner):
                guard prefix == nil else { throw SCIMFailure.invalidFilter("a value path cannot hold another") }
                return try convert(inner, prefix: path.dottedName)
            case .compare(let path, let comparison, let value):
                let field = try resolve(path, prefix: prefix)
                if value == .null { return comparison == .eq ? .not(.present(field)) : .present(field) }
                guard let text = value.scalarText else { throw SCIMFilter.badValue(path) }
                let kind: ProvisionedComparison =
                    switch comparison {
                    case .eq: .equal
                    case .ne: .notEqual
                    case .co: .contains
                    case .sw: .startsWith
                    case .ew: .endsWith
                    case .gt: .greater
                    case .ge: .greaterOrEqual
                    case .lt: .less
                    case .le: .lessOrEqual
                    }
                return .compare(field, kind, text)
            }
        }
        return try convert(self, prefix: nil)
    }

    private static func badValue(_ path: SCIMPath) -> SCIMFailure {
        SCIMFailure.invalidFilter("'\(path.dottedName)' is compared with something that is not a string, number, boolean or null")
    }

    // MARK: Reading

    struct Token: Equatable {
        enum Kind: Equatable { case word, string, open, close, openBracket, closeBracket }
        let kind: Kind
        let text: String
    }

    static func tokens(_ text: String) throws -> [Token] {
        var tokens: [Token] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            switch character {
            case " ", "\t", "\n", "\r":
                index = text.index(after: index)
            case "(", ")", "[", "]":
                let kind: Token.Kind = character == "(" ? .open : character == ")" ? .close : character == "[" ? .openBracket : .closeBracket
                tokens.append(Token(kind: kind, text: String(character)))
                index = text.index(after: index)
            case "\"":
                // A JSON string: its escapes are JSON's.
                var end = text.index(after: index)
                var escaped = false
                while end < text.endIndex, escaped || text[end] != "\"" {
                    escaped = !escaped && text[end] == "\\"
                    end = text.index(after: end)
                }
                guard end < text.endIndex else { throw SCIMFailure.invalidFilter("a string in the filter '\(text)' is never closed") }
                let literal = String(text[index...end])
                guard let decoded = try? JSONDecoder().decode(String.self, from: Data(literal.utf8)) else {
                    throw SCIMFailure.invalidFilter("\(literal) in the filter is not a valid JSON string")
                }
                tokens.append(Token(kind: .string, text: decoded))
                index = text.index(after: end)
            default:
                var end = index
                while end < text.endIndex, !" \t\n\r()[]\"".contains(text[end]) { end = text.index(after: end) }
                tokens.append(Token(kind: .word, text: String(text[index..<end])))
                index = end
            }
        }
        return tokens
    }

    struct Parser {
        let tokens: [Token]
        let text: String
        var position = 0

        init(tokens: [Token], text: String) {
            self.tokens = tokens
            self.text = text
        }

        func peek() -> Token? { position < tokens.count ? tokens[position] : nil }

        mutating func next() throws -> Token {
            guard let token = peek() else { throw SCIMFailure.invalidFilter("the filter '\(text)' ends too soon") }
            position += 1
            return token
        }

        mutating func takeWord(_ word: String) -> Bool {
            guard let token = peek(), token.kind == .word, ASCIICaseFold.folded(token.text) == word else { return false }
            position += 1
            return true
        }

        mutating func expect(_ kind: Token.Kind, _ shown: String) throws {
            let token = try next()
            guard token.kind == kind else { throw SCIMFailure.invalidFilter("expected '\(shown)' but found '\(token.text)' in the filter '\(text)'") }
        }

        mutating func parseOr() throws -> SCIMFilter {
            var left = try parseAnd()
            while takeWord("or") { left = .or(left, try parseAnd()) }
            return left
        }

        mutating func parseAnd() throws -> SCIMFilter {
            var left = try parseUnary()
            while takeWord("and") { left = .and(left, try parseUnary()) }
            return left
        }

        mutating func parseUnary() throws -> SCIMFilter {
            if takeWord("not") {
                try expect(.open, "(")
                let inner = try parseOr()
                try expect(.close, ")")
                return .not(inner)
            }
            if peek()?.kind == .open {
                position += 1
                let inner = try parseOr()
                try expect(.close, ")")
                return inner
            }
            let token = try next()
            guard token.kind == .word else { throw SCIMFailure.invalidFilter("expected an attribute but found '\(token.text)' in the filter '\(text)'") }
            let path: SCIMPath
            do {
                path = try SCIMPath(parsing: token.text)
            } catch let failure as SCIMFailure {
                throw SCIMFailure.invalidFilter(failure.message)
            }
            if peek()?.kind == .openBracket {
                position += 1
                let inner = try parseOr()
                try expect(.closeBracket, "]")
                return .valuePath(path, inner)
            }
            let operatorToken = try next()
            let word = ASCIICaseFold.folded(operatorToken.text)
            if operatorToken.kind == .word && word == "pr" { return .present(path) }
            guard operatorToken.kind == .word, let comparison = Comparison(rawValue: word) else {
                throw SCIMFailure.invalidFilter("'\(operatorToken.text)' is not an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) in the filter '\(text)'")
            }
            let valueToken = try next()
            return .compare(path, comparison, try value(valueToken))
        }

        private func value(_ token: Token) throws -> SCIMValue {
            switch token.kind {
            case .string: return .string(token.text)
            case .word:
                switch ASCIICaseFold.folded(token.text) {
                case "true": return .bool(true)
                case "false": return .bool(false)
                case "null": return .null
                default:
                    if let integer = Int64(token.text) { return .integer(integer) }
                    if let number = Double(token.text) { return .number(number) }
                }
            default: break
            }
            throw SCIMFailure.invalidFilter("'\(token.text)' is not a value (a quoted string, a number, true, false or null) in the filter '\(text)'")
        }
    }
}
