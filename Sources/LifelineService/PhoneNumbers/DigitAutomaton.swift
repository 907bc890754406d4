/// A ``NumberPattern`` compiled to a deterministic automaton over the ten digits, for the
/// checks every number goes through (its region, its type): one table step per digit, where
/// backtracking tried alternatives. Built by the textbook route, a Thompson NFA and then the
/// subset construction; a pattern's `$` and captures do not occur in the patterns compiled so.
struct DigitAutomaton: Sendable {
    /// `transitions[state * 10 + digit]`: the next state, or -1 when no match can follow.
    private let transitions: [Int32]
    private let accepting: [Bool]

    init(_ pattern: NumberPattern) {
        var nfa = NFA()
        let start = nfa.newState()
        let end = nfa.build(pattern.root, from: start)
        nfa.accept = end
        var states: [[Int]] = [nfa.closure([start])]
        var index: [[Int]: Int32] = [states[0]: 0]
        var transitions: [Int32] = []
        var accepting: [Bool] = []
        var next = 0
        while next < states.count {
            let set = states[next]
            accepting.append(set.contains(end))
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

    /// Whether the whole of `digits` (ASCII) matches.
    func matchesWhole(_ digits: some Collection<UInt8>) -> Bool {
        var state: Int32 = 0
        for digit in digits {
            state = transitions[Int(state) * 10 + Int(digit &- 0x30)]
            if state < 0 { return false }
        }
        return accepting[Int(state)]
    }

    /// Whether some start of `digits` matches (Java's `lookingAt`).
    func matchesAtStart(_ digits: some Collection<UInt8>) -> Bool {
        var state: Int32 = 0
        if accepting[0] { return true }
        for digit in digits {
            state = transitions[Int(state) * 10 + Int(digit &- 0x30)]
            if state < 0 { return false }
            if accepting[Int(state)] { return true }
        }
        return false
    }

    /// Thompson's construction: states with digit-set edges and empty edges.
    private struct NFA {
        var edges: [[(set: UInt16, to: Int)]] = []
        var empty: [[Int]] = []
        var accept = 0

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
