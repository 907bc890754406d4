/// A libphonenumber metadata pattern over a number's digits: the regular-expression dialect its
/// metadata is written in (digits, `\d`, `[…]` with ranges, `(…)` and `(?:…)`, `|`, `?`, `*`,
/// `+`, `{n}`, `{n,m}`, `{n,}`, and `$`), with the captures its transform rules refer to.
///
/// Written here because the metadata needs only this small, digit-only dialect, and full
/// regular-expression engines (Foundation's, Swift's `Regex`) work on Unicode strings, cost a
/// string per attempt, and are not needed for ten symbols. Matching backtracks; it runs only on
/// the national-format path, never on a number already in long format.
struct NumberPattern: Sendable {
    indirect enum Node: Sendable {
        /// One digit from a set (bit n: digit n).
        case digit(UInt16)
        case sequence([Node])
        case alternation([Node])
        /// A group; `capture` numbers the capturing ones from 1.
        case group(Node, capture: Int?)
        case repetition(Node, minimum: Int, maximum: Int?)
        /// `$`: the end of the number.
        case end
    }

    let root: Node
    /// How many capturing groups it has.
    let captureCount: Int

    /// A pattern that matches no number (a digit from the empty set).
    static let nothing = NumberPattern(root: .digit(0), captureCount: 0)

    private init(root: Node, captureCount: Int) {
        self.root = root
        self.captureCount = captureCount
    }

    /// Nil when `text` is not in the dialect.
    init?(_ text: String) {
        var parser = Parser(bytes: Array(text.utf8))
        guard let root = parser.alternation(), parser.position == parser.bytes.count else { return nil }
        self.root = root
        captureCount = parser.captures
    }

    /// Whether the whole of `digits` matches.
    func matchesWhole(_ digits: [UInt8]) -> Bool {
        var captures = [Range<Int>?](repeating: nil, count: captureCount + 1)
        return Self.match(root, digits, 0, &captures) { end, _ in end == digits.count }
    }

    /// The match at the start of `digits` (Java's `lookingAt`): its end and its captures, or nil.
    func matchAtStart(_ digits: [UInt8]) -> (end: Int, captures: [Range<Int>?])? {
        var captures = [Range<Int>?](repeating: nil, count: captureCount + 1)
        var found: (Int, [Range<Int>?])?
        _ = Self.match(root, digits, 0, &captures) { end, captures in
            found = (end, captures)
            return true
        }
        return found
    }

    /// Matches `node` at `index`, then asks `next` about the rest; backtracks when it says no.
    private static func match(
        _ node: Node, _ digits: [UInt8], _ index: Int, _ captures: inout [Range<Int>?],
        _ next: (Int, [Range<Int>?]) -> Bool
    ) -> Bool {
        switch node {
        case .digit(let set):
            guard index < digits.count, set & (1 << UInt16(digits[index] &- 0x30)) != 0 else { return false }
            return next(index + 1, captures)
        case .end:
            return index == digits.count && next(index, captures)
        case .sequence(let nodes):
            return sequence(nodes[...], digits, index, &captures, next)
        case .alternation(let choices):
            for choice in choices {
                var attempt = captures
                if match(choice, digits, index, &attempt, next) { return true }
            }
            return false
        case .group(let inner, let capture):
            return match(inner, digits, index, &captures) { end, inside in
                var inside = inside
                if let capture { inside[capture] = index..<end }
                return next(end, inside)
            }
        case .repetition(let inner, let minimum, let maximum):
            return repeated(inner, minimum, maximum, count: 0, digits, index, &captures, next)
        }
    }

    private static func sequence(
        _ nodes: ArraySlice<Node>, _ digits: [UInt8], _ index: Int, _ captures: inout [Range<Int>?],
        _ next: (Int, [Range<Int>?]) -> Bool
    ) -> Bool {
        guard let first = nodes.first else { return next(index, captures) }
        return match(first, digits, index, &captures) { end, after in
            var after = after
            return sequence(nodes.dropFirst(), digits, end, &after, next)
        }
    }

    /// Greedy: as many repetitions as match, then fewer.
    private static func repeated(
        _ inner: Node, _ minimum: Int, _ maximum: Int?, count: Int, _ digits: [UInt8], _ index: Int,
        _ captures: inout [Range<Int>?], _ next: (Int, [Range<Int>?]) -> Bool
    ) -> Bool {
        if maximum.map({ count < $0 }) ?? true {
            var attempt = captures
            let more = match(inner, digits, index, &attempt) { end, after in
                // An empty repetition would go round for ever.
                guard end > index else { return false }
                var after = after
                return repeated(inner, minimum, maximum, count: count + 1, digits, end, &after, next)
            }
            if more { return true }
        }
        return count >= minimum && next(index, captures)
    }

    /// A recursive-descent parser over the pattern's bytes.
    private struct Parser {
        let bytes: [UInt8]
        var position = 0
        var captures = 0

        mutating func alternation() -> Node? {
            var choices: [Node] = []
            while true {
                guard let choice = sequence() else { return nil }
                choices.append(choice)
                guard peek == UInt8(ascii: "|") else { break }
                position += 1
            }
            return choices.count == 1 ? choices[0] : .alternation(choices)
        }

        mutating func sequence() -> Node? {
            var nodes: [Node] = []
            while let byte = peek, byte != UInt8(ascii: "|"), byte != UInt8(ascii: ")") {
                guard let atom = atom(), let quantified = quantifier(atom) else { return nil }
                nodes.append(quantified)
            }
            return nodes.count == 1 ? nodes[0] : .sequence(nodes)
        }

        mutating func atom() -> Node? {
            guard let byte = take() else { return nil }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                return .digit(1 << UInt16(byte - 0x30))
            case UInt8(ascii: "\\"):
                guard take() == UInt8(ascii: "d") else { return nil }
                return .digit(0x3FF)
            case UInt8(ascii: "$"):
                return .end
            case UInt8(ascii: "["):
                return digitClass()
            case UInt8(ascii: "("):
                var capture: Int?
                if peek == UInt8(ascii: "?") {
                    position += 1
                    guard take() == UInt8(ascii: ":") else { return nil }
                } else {
                    captures += 1
                    capture = captures
                }
                guard let inner = alternation(), take() == UInt8(ascii: ")") else { return nil }
                return .group(inner, capture: capture)
            default:
                return nil
            }
        }

        mutating func digitClass() -> Node? {
            var set: UInt16 = 0
            var isClosed = false
            while let byte = take() {
                if byte == UInt8(ascii: "]") {
                    isClosed = true
                    break
                }
                if byte == UInt8(ascii: "\\") {
                    guard take() == UInt8(ascii: "d") else { return nil }
                    set = 0x3FF
                    continue
                }
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                var last = byte
                if peek == UInt8(ascii: "-") {
                    position += 1
                    guard let upper = take(), (byte...UInt8(ascii: "9")).contains(upper) else { return nil }
                    last = upper
                }
                for digit in byte...last { set |= 1 << UInt16(digit - 0x30) }
            }
            return isClosed && set != 0 ? .digit(set) : nil
        }

        mutating func quantifier(_ atom: Node) -> Node? {
            switch peek {
            case UInt8(ascii: "?"):
                position += 1
                return .repetition(atom, minimum: 0, maximum: 1)
            case UInt8(ascii: "*"):
                position += 1
                return .repetition(atom, minimum: 0, maximum: nil)
            case UInt8(ascii: "+"):
                position += 1
                return .repetition(atom, minimum: 1, maximum: nil)
            case UInt8(ascii: "{"):
                position += 1
                guard let minimum = number() else { return nil }
                var maximum: Int? = minimum
                if peek == UInt8(ascii: ",") {
                    position += 1
                    maximum = peek == UInt8(ascii: "}") ? nil : number()
                    if maximum == nil && peek != UInt8(ascii: "}") { return nil }
                }
                guard take() == UInt8(ascii: "}") else { return nil }
                return .repetition(atom, minimum: minimum, maximum: maximum)
            default:
                return atom
            }
        }

        mutating func number() -> Int? {
            var value: Int?
            while let byte = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                value = (value ?? 0) * 10 + Int(byte - 0x30)
                position += 1
            }
            return value
        }

        var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func take() -> UInt8? {
            guard let byte = peek else { return nil }
            position += 1
            return byte
        }
    }
}
