/// ``NumberPattern``s compiled together to one deterministic automaton over the ten digits, for
/// the checks every number goes through (its region, its type): one table step per digit tells
/// which of the patterns a number matches, where backtracking tried each pattern's alternatives.
/// Built by the textbook route, a Thompson NFA and then the subset construction; a pattern's `$`
/// and captures do not occur in the patterns compiled so.
struct DigitAutomaton: Sendable {
    /// `transitions[state * 10 + digit]`: the next state, or -1 when no match can follow.
    private let transitions: [Int32]
    /// Per state, bit i set when pattern i matches what was read so far.
    private let accepting: [UInt32]

    init(_ pattern: NumberPattern) {
        self.init([pattern])
    }

    /// Up to 32 patterns at once.
    init(_ patterns: [NumberPattern]) {
        precondition(patterns.count <= 32, "at most 32 patterns in one automaton")
        var nfa = NFA()
        let start = nfa.newState()
        var ends: [Int: UInt32] = [:]
        for (index, pattern) in patterns.enumerated() {
            let patternStart = nfa.newState()
            nfa.empty[start].append(patternStart)
            ends[nfa.build(pattern.root, from: patternStart), default: 0] |= 1 << UInt32(index)
        }
        var states: [[Int]] = [nfa.closure([start])]
        var index: [[Int]: Int32] = [states[0]: 0]
        var transitions: [Int32] = []
        var accepting: [UInt32] = []
        var next = 0
        while next < states.count {
            let set = states[next]
            accepting.append(set.reduce(0) { $0 | (ends[$1] ?? 0) })
            for digit in 0..<10 {
                let bit = UInt16(1) << UInt16(digit)
                var targets: [Int] = []
                for state in set {
                    for edge in nfa.edges[state] where edge.set & bit != 0 { targets.append(edge.to) }
                }
                if targets.isEmpty {
                    transitions.append(-1)
                    continue
                }
                let closed = nfa.closure(targets)
                if let known = index[closed] {
                    transitions.append(known)
                } else {
                    index[closed] = Int32(states.count)
                    transitions.append(Int32(states.count))
                    states.append(closed)
                }
            }
            next += 1
        }
        self.transitions = transitions
        self.accepting = accepting
    }

    /// Which patterns the whole of `digits` (ASCII) matches: bit i for pattern i.
    func wholeMatches(_ digits: some Collection<UInt8>) -> UInt32 {
        var state: Int32 = 0
        for digit in digits {
            state = transitions[Int(state) * 10 + Int(digit &- 0x30)]
            if state < 0 { return 0 }
        }
        return accepting[Int(state)]
    }

    /// Whether the whole of `digits` matches (the first pattern).
    func matchesWhole(_ digits: some Collection<UInt8>) -> Bool {
        wholeMatches(digits) & 1 != 0
    }

    /// Whether some start of `digits` matches the first pattern (Java's `lookingAt`).
    func matchesAtStart(_ digits: some Collection<UInt8>) -> Bool {
        var state: Int32 = 0
        if accepting[0] & 1 != 0 { return true }
        for digit in digits {
            state = transitions[Int(state) * 10 + Int(digit &- 0x30)]
            if state < 0 { return false }
            if accepting[Int(state)] & 1 != 0 { return true }
        }
        return false
    }

    /// Thompson's construction: states with digit-set edges and empty edges.
    private struct NFA {
        var edges: [[(set: UInt16, to: Int)]] = []
        var empty: [[Int]] = []

        mutating func newState() -> Int {
            edges.append([])
            empty.append([])
            return edges.count - 1
        }

        /// Adds `node` from `state`; returns the state its matches end in.
        mutating func build(_ node: NumberPattern.Node, from state: Int) -> Int {
            switch node {
            case .digit(let set):
                let to = newState()
                edges[state].append((set, to))
                return to
            case .end:
                return state
            case .sequence(let nodes):
                return nodes.reduce(state) { build($1, from: $0) }
            case .alternation(let choices):
                let end = newState()
                for choice in choices { empty[build(choice, from: state)].append(end) }
                return end
            case .group(let inner, _):
                return build(inner, from: state)
            case .repetition(let inner, let minimum, let maximum):
                var current = state
                for _ in 0..<minimum { current = build(inner, from: current) }
                guard let maximum else {
                    let loop = newState()
                    empty[current].append(loop)
                    empty[build(inner, from: loop)].append(loop)
                    return loop
                }
                let end = newState()
                empty[current].append(end)
                for _ in minimum..<max(minimum, maximum) {
                    current = build(inner, from: current)
                    empty[current].append(end)
                }
                return end
            }
        }

        /// The states reachable by empty edges, sorted: a DFA state's name.
        func closure(_ states: [Int]) -> [Int] {
            var seen = Set(states)
            var stack = states
            while let state = stack.popLast() {
                for next in empty[state] where seen.insert(next).inserted { stack.append(next) }
            }
            return seen.sorted()
        }
    }
}
