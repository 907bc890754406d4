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
    ///
    /// Over UTF-8 bytes: every process that reads a number parses it, and splitting Characters
    /// made it a fifth of a short command's instructions.
    init(tsv: String) {
        var lengths: [Int: Set<Int>] = [:]
        var prefixes: [Int: String] = [:]
        var regions: [String: Region] = [:]
        for line in tsv.utf8.split(separator: UInt8(ascii: "\n")) where line.first != UInt8(ascii: "#") {
            let columns = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
            guard columns.count == 4, let callingCode = Self.integer(columns[1]) else { continue }
            let region = String(decoding: columns[0], as: UTF8.self)
            let prefix = String(decoding: columns[2], as: UTF8.self)
            let possible = columns[3].split(separator: UInt8(ascii: ",")).compactMap(Self.integer)
            lengths[callingCode, default: []].formUnion(possible)
            if prefixes[callingCode] == nil { prefixes[callingCode] = prefix }
            if region != "001" {
                regions[region] = Region(code: region, callingCode: callingCode, nationalPrefix: prefix)
            }
        }
        lengthsByCallingCode = lengths
        nationalPrefixByCallingCode = prefixes
        regionsByCode = regions
    }

    private static func integer(_ digits: some Collection<UInt8>) -> Int? {
        guard !digits.isEmpty else { return nil }
        var value = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
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
