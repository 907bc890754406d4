/// Assigned country calling codes with their possible national-number lengths and, per region,
/// the national (trunk) prefix; from `Data/phone_regions.tsv` (libphonenumber metadata).
public struct CallingCodePlan: Sendable {
    /// A region (ISO 3166 code, or `001` for non-geographic services) and how it dials.
    public struct Region: Sendable, Equatable {
        public let code: String
        public let callingCode: Int
        /// The trunk prefix dialled before national numbers ("0" in most of Europe), or "".
        public let nationalPrefix: String
    }

    /// Possible national-number lengths, by calling code (the union over its regions).
    let lengthsByCallingCode: [Int: Set<Int>]
    /// The national prefix used with each calling code (from its main region).
    let nationalPrefixByCallingCode: [Int: String]
    let regionsByCode: [String: Region]

    /// The plan shipped with the binary.
    public static let shipped: CallingCodePlan = {
        // The build embeds Data/phone_regions.tsv; without it no number could be checked at all.
        guard let text = ReferenceData.text(of: "phone_regions.tsv") else {
            preconditionFailure("the build did not embed Data/phone_regions.tsv")
        }
        return CallingCodePlan(tsv: text)
    }()

    /// Parses the TSV: `region, calling_code, national_prefix, possible_lengths`; `#` lines are comments.
    init(tsv: String) {
        var lengths: [Int: Set<Int>] = [:]
        var prefixes: [Int: String] = [:]
        var regions: [String: Region] = [:]
        for line in tsv.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count == 4, let callingCode = Int(columns[1]) else { continue }
            lengths[callingCode, default: []].formUnion(columns[3].split(separator: ",").compactMap { Int($0) })
            if prefixes[callingCode] == nil { prefixes[callingCode] = columns[2] }
            if columns[0] != "001" {
                regions[columns[0]] = Region(code: columns[0], callingCode: callingCode, nationalPrefix: columns[2])
            }
        }
        lengthsByCallingCode = lengths
        nationalPrefixByCallingCode = prefixes
        regionsByCode = regions
    }

    /// The number of assigned calling codes.
    public var callingCodeCount: Int { lengthsByCallingCode.count }

    /// The region for an ISO code ("GB") or a calling code ("44", "+44"); nil when unknown.
    public func region(named name: String) -> Region? {
        let trimmed = name.trimmingPrefix("+")
        if let callingCode = Int(trimmed), let prefix = nationalPrefixByCallingCode[callingCode] {
            return Region(code: String(trimmed), callingCode: callingCode, nationalPrefix: prefix)
        }
        return regionsByCode[name.uppercased()]
    }

    /// The calling code a digit string starts with (codes are prefix-free), and its length.
    func callingCode(prefixing digits: ArraySlice<UInt8>) -> (code: Int, digitCount: Int)? {
        var value = 0
        for (offset, digit) in digits.prefix(3).enumerated() {
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
            if lengthsByCallingCode[value] != nil { return (value, offset + 1) }
        }
        return nil
    }

    /// The possible national-number lengths for a calling code.
    func possibleLengths(for callingCode: Int) -> Set<Int> {
        lengthsByCallingCode[callingCode] ?? []
    }

    /// The trunk prefix dialled before national numbers under a calling code, or "".
    func nationalPrefix(for callingCode: Int) -> String {
        nationalPrefixByCallingCode[callingCode] ?? ""
    }
}
