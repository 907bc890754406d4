import Synchronization

/// What kind of line a number is, as libphonenumber types it.
public enum NumberKind: String, Sendable, CaseIterable {
    case fixedLine = "fixed_line"
    case mobile
    case fixedLineOrMobile = "fixed_line_or_mobile"
    case tollFree = "toll_free"
    case premiumRate = "premium_rate"
    case sharedCost = "shared_cost"
    case voip
    case personalNumber = "personal_number"
    case pager
    case uan
    case voicemail

    /// Lines that cannot receive an SMS. A number in none of the ranges the metadata knows is not
    /// refused: libphonenumber calls it invalid, but ranges open before its data does, and
    /// directories and tests use ranges set aside for fiction (Ofcom's 07700 900xxx).
    public var receivesSMS: Bool {
        switch self {
        case .fixedLine, .tollFree, .premiumRate, .sharedCost, .uan, .voicemail: false
        case .mobile, .fixedLineOrMobile, .voip, .personalNumber, .pager: true
        }
    }

    /// In a sentence: "a fixed-line number".
    public var phrase: String {
        switch self {
        case .fixedLine: "a fixed-line number"
        case .mobile: "a mobile number"
        case .fixedLineOrMobile: "a fixed-line or mobile number"
        case .tollFree: "a toll-free number"
        case .premiumRate: "a premium-rate number"
        case .sharedCost: "a shared-cost number"
        case .voip: "a VoIP number"
        case .personalNumber: "a personal (forwarding) number"
        case .pager: "a pager number"
        case .uan: "a universal access (UAN) number"
        case .voicemail: "a voicemail access number"
        }
    }
}

/// Each region's number types from `Data/phone_types.tsv` (libphonenumber metadata): the
/// lengths and patterns of its fixed-line, mobile, toll-free, … numbers, and the leading digits
/// that pick a region inside a shared calling code (+44 for GB, GG, IM and JE).
///
/// A region's patterns are compiled to automata the first time one of its numbers is typed,
/// and kept: a directory's numbers come from a handful of regions.
final class NumberTypes: Sendable {
    /// One region's rows, as text until first used.
    private struct RegionRows: Sendable {
        let region: String
        var leadingDigits: String?
        var kinds: [(kind: String, lengthMask: UInt32, pattern: String)] = []
    }

    /// One region, compiled: all its type patterns in one automaton, so one pass over the
    /// digits says which ranges a number is in.
    private struct CompiledRegion: Sendable {
        let name: String
        /// The descriptions in the automaton's pattern order: general, fixed line, mobile, then
        /// the special kinds in libphonenumber's order of precedence.
        static let order: [(name: String, kind: NumberKind?)] = [
            ("general", nil), ("fixed_line", .fixedLine), ("mobile", .mobile), ("premium_rate", .premiumRate),
            ("toll_free", .tollFree), ("shared_cost", .sharedCost), ("voip", .voip), ("personal_number", .personalNumber),
            ("pager", .pager), ("uan", .uan), ("voicemail", .voicemail),
        ]

        let leadingDigits: DigitAutomaton?
        let types: DigitAutomaton
        /// Per pattern in `order`: its possible national lengths (bit n: n digits); 0 when the
        /// region has no such numbers.
        let lengthMasks: [UInt32]
        let sameFixedAndMobilePattern: Bool

        /// Which descriptions `national` matches, lengths and patterns: bit i for `order[i]`.
        func matches(_ national: ArraySlice<UInt8>) -> UInt32 {
            guard national.count < 32 else { return 0 }
            var matched = types.wholeMatches(national)
            for index in lengthMasks.indices where lengthMasks[index] & (1 << UInt32(national.count)) == 0 {
                matched &= ~(1 << UInt32(index))
            }
            return matched
        }
    }

    private let rows: [Int: [RegionRows]]
    /// A calling code's regions, compiled; one reference to fetch under the lock.
    private final class Compiled: Sendable {
        let regions: [CompiledRegion]
        init(_ regions: [CompiledRegion]) { self.regions = regions }
    }
    /// By calling code (1–999).
    private let compiled = Mutex<[Compiled?]>(Array(repeating: nil, count: 1000))

    static let shipped: NumberTypes = {
        // The build embeds Data/phone_types.tsv; without it no number could be typed.
        guard let text = ReferenceData.text(of: "phone_types.tsv") else {
            preconditionFailure("the build did not embed Data/phone_types.tsv")
        }
        return NumberTypes(tsv: text)
    }()

    /// Parses `calling_code, region, kind, possible_lengths, pattern`; `#` lines are comments.
    init(tsv: String) {
        var rows: [Int: [RegionRows]] = [:]
        for line in tsv.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 5, let code = Int(fields[0]) else { continue }
            var regions = rows[code] ?? []
            if regions.last?.region != String(fields[1]) { regions.append(RegionRows(region: String(fields[1]))) }
            if fields[2] == "leading_digits" {
                regions[regions.count - 1].leadingDigits = String(fields[4])
            } else {
                let mask = fields[3].split(separator: ",").compactMap { Int($0) }.filter { $0 < 32 }
                    .reduce(UInt32(0)) { $0 | 1 << UInt32($1) }
                regions[regions.count - 1].kinds.append((String(fields[2]), mask, String(fields[4])))
            }
            rows[code] = regions
        }
        self.rows = rows
    }

    /// The number's kind, or nil when it is in no range the metadata knows (or its calling code
    /// has no type data).
    func kind(callingCode: Int, national: ArraySlice<UInt8>) -> NumberKind? {
        guard (1...999).contains(callingCode) else { return nil }
        let regions = compiledRegions(callingCode).regions
        if regions.count == 1 { return Self.kind(of: national, in: regions[0]) }
        // As libphonenumber picks among a shared code's regions: leading digits, else the first
        // region whose ranges the number is in.
        for region in regions {
            if let leading = region.leadingDigits {
                if leading.matchesAtStart(national) { return Self.kind(of: national, in: region) }
            } else if let kind = Self.kind(of: national, in: region) {
                return kind
            }
        }
        return nil
    }

    /// Whether `national` fits the region's general pattern, the pattern alone as libphonenumber
    /// tests it before and after stripping a national prefix; false for a region with none.
    func fitsGeneralPattern(_ national: [UInt8], region: String, callingCode: Int) -> Bool {
        guard (1...999).contains(callingCode),
            let compiled = compiledRegions(callingCode).regions.first(where: { $0.name == region })
        else { return false }
        return compiled.types.wholeMatches(national) & 1 != 0
    }

    private static func kind(of national: ArraySlice<UInt8>, in region: CompiledRegion) -> NumberKind? {
        let matched = region.matches(national)
        guard matched & 1 != 0 else { return nil }
        // The special kinds first, in libphonenumber's order (bits 3…10).
        for index in 3..<CompiledRegion.order.count where matched & (1 << UInt32(index)) != 0 {
            return CompiledRegion.order[index].kind
        }
        let fixed = matched & 0b10 != 0, mobile = matched & 0b100 != 0
        if fixed { return region.sameFixedAndMobilePattern || mobile ? .fixedLineOrMobile : .fixedLine }
        if !region.sameFixedAndMobilePattern && mobile { return .mobile }
        return nil
    }

    private func compiledRegions(_ callingCode: Int) -> Compiled {
        if let known = compiled.withLock({ $0[callingCode] }) { return known }
        let made = Compiled((rows[callingCode] ?? []).map(Self.compile))
        compiled.withLock { $0[callingCode] = made }
        return made
    }

    private static func compile(_ rows: RegionRows) -> CompiledRegion {
        // A description the region lacks is a pattern that matches nothing, with no lengths.
        var patterns: [NumberPattern] = []
        var lengthMasks: [UInt32] = []
        for (name, _) in CompiledRegion.order {
            if let row = rows.kinds.first(where: { $0.kind == name }), let pattern = NumberPattern(row.pattern) {
                patterns.append(pattern)
                lengthMasks.append(row.lengthMask)
            } else {
                patterns.append(NumberPattern.nothing)
                lengthMasks.append(0)
            }
        }
        let fixedPattern = rows.kinds.first { $0.kind == "fixed_line" }?.pattern
        return CompiledRegion(
            name: rows.region,
            leadingDigits: rows.leadingDigits.flatMap(NumberPattern.init).map(DigitAutomaton.init),
            types: DigitAutomaton(patterns), lengthMasks: lengthMasks,
            sameFixedAndMobilePattern: fixedPattern != nil && fixedPattern == rows.kinds.first { $0.kind == "mobile" }?.pattern)
    }
}
