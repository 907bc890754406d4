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

    /// Possible national-number lengths, by calling code (index 1–999; the union over the
    /// code's regions): bit n set when n digits are possible, 0 for an unassigned code.
    private let lengthMasks: [UInt32]
    /// The national prefix used with each calling code (from its first region), or "".
    private let prefixes: [String]
    /// The table itself, kept to look a region up by name, which only `--default-country` does.
    private let tsv: String

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
    /// One pass over the UTF-8 bytes into two flat arrays: every process that reads a number
    /// parses it, and with per-line splits, Sets and dictionaries it was a sixth of an
    /// `optin status` lookup's instructions.
    init(tsv: String) {
        var masks = [UInt32](repeating: 0, count: 1000)
        var prefixes = [String](repeating: "", count: 1000)
        for row in Self.rows(of: tsv) {
            let code = row.callingCode
            if masks[code] == 0 { prefixes[code] = row.prefix }
            masks[code] |= row.lengthMask
        }
        lengthMasks = masks
        self.prefixes = prefixes
        self.tsv = tsv
    }

    /// One row of the table.
    private struct Row {
        let region: String
        let callingCode: Int
        let prefix: String
        /// Bit n set when n national digits are possible.
        let lengthMask: UInt32
    }

    /// The table's rows with a calling code of 1 to 999, scanned in place over the bytes.
    private static func rows(of tsv: String) -> [Row] {
        var tsv = tsv
        return tsv.withUTF8 { bytes in
            var rows: [Row] = []
            rows.reserveCapacity(300)
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                if bytes[start] != UInt8(ascii: "#"), let row = row(UnsafeBufferPointer(rebasing: bytes[start..<end])) {
                    rows.append(row)
                }
                start = end + 1
            }
            return rows
        }
    }

    /// `region \t calling_code \t national_prefix \t length,length,...`, or nil.
    private static func row(_ line: UnsafeBufferPointer<UInt8>) -> Row? {
        // The three tabs' positions, without collecting the fields.
        var tabs = (0, 0, 0)
        var found = 0
        for index in line.indices where line[index] == UInt8(ascii: "\t") {
            switch found {
            case 0: tabs.0 = index
            case 1: tabs.1 = index
            case 2: tabs.2 = index
            default: return nil
            }
            found += 1
        }
        guard found == 3, let code = integer(line[tabs.0 + 1..<tabs.1]), (1...999).contains(code) else { return nil }
        var mask: UInt32 = 0
        var length = 0
        for index in tabs.2 + 1...line.count {
            let byte = index < line.count ? line[index] : UInt8(ascii: ",")
            if byte == UInt8(ascii: ",") {
                if length > 0 && length < 32 { mask |= 1 << UInt32(length) }
                length = 0
            } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                length = length * 10 + Int(byte - UInt8(ascii: "0"))
            }
        }
        return Row(
            region: String(decoding: UnsafeBufferPointer(rebasing: line[..<tabs.0]), as: UTF8.self), callingCode: code,
            prefix: String(decoding: UnsafeBufferPointer(rebasing: line[tabs.1 + 1..<tabs.2]), as: UTF8.self),
            lengthMask: mask)
    }

    private static func integer(_ digits: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        guard !digits.isEmpty else { return nil }
        var value = 0
        for byte in UnsafeBufferPointer(rebasing: digits) {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// The number of assigned calling codes.
    public var callingCodeCount: Int { lengthMasks.count { $0 != 0 } }

    /// The region for an ISO code ("GB") or a calling code ("44", "+44"); nil when unknown.
    ///
    /// A calling code means its main country, as libphonenumber lists it first for the code
    /// (54 is AR, 7 is RU, 1 is US), so its national numbers are read by that country's rules
    /// (Argentina's `15` mobile token, Hungary's `06`); where countries share a code, the
    /// number's leading digits still decide its type (Kazakhstan's under 7).
    public func region(named name: String) -> Region? {
        let trimmed = name.trimmingPrefix("+")
        if let callingCode = Int(trimmed) {
            guard (1...999).contains(callingCode), lengthMasks[callingCode] != 0,
                let main = Self.rows(of: tsv).first(where: { $0.callingCode == callingCode && $0.region != "001" })
            else { return nil }
            return Region(code: main.region, callingCode: callingCode, nationalPrefix: main.prefix)
        }
        let wanted = name.uppercased()
        guard wanted != "001",
            let row = Self.rows(of: tsv).first(where: { $0.region == wanted })
        else { return nil }
        return Region(code: wanted, callingCode: row.callingCode, nationalPrefix: row.prefix)
    }

    /// The calling code a digit string starts with (codes are prefix-free), and its length.
    public func callingCode(prefixing digits: ArraySlice<UInt8>) -> (code: Int, digitCount: Int)? {
        var value = 0
        for (offset, digit) in digits.prefix(3).enumerated() {
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
            if value > 0 && lengthMasks[value] != 0 { return (value, offset + 1) }
        }
        return nil
    }

    /// The possible national-number lengths for a calling code.
    public func possibleLengths(for callingCode: Int) -> PossibleLengths {
        PossibleLengths(mask: (1...999).contains(callingCode) ? lengthMasks[callingCode] : 0)
    }

    /// The trunk prefix dialled before national numbers under a calling code, or "".
    public func nationalPrefix(for callingCode: Int) -> String {
        (1...999).contains(callingCode) ? prefixes[callingCode] : ""
    }
}

/// A set of national-number lengths (each under 32), as a bit mask.
public struct PossibleLengths: Equatable {
    let mask: UInt32

    public func contains(_ length: Int) -> Bool {
        (0..<32).contains(length) && mask & (1 << UInt32(length)) != 0
    }

    public func min() -> Int? {
        mask == 0 ? nil : mask.trailingZeroBitCount
    }

    public func max() -> Int? {
        mask == 0 ? nil : 31 - mask.leadingZeroBitCount
    }
}
