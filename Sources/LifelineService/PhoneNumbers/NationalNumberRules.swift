/// How each region's national numbers are read, from `Data/phone_parsing.tsv` (libphonenumber
/// metadata): the pattern that strips the national prefix and any carrier code when parsing
/// (Argentina's `15` mobile token, Belarus's `80`), and the rule that rewrites what it
/// captured. Whether a number fits its region at all is ``NumberTypes``' general pattern.
struct NationalNumberRules: Sendable {
    struct Rule: Sendable {
        let prefixForParsing: NumberPattern?
        /// `$1`-style: what replaces the matched prefix, with the last capture put in.
        let transform: [UInt8]
    }

    private let rules: [String: Rule]

    /// The rules shipped with the binary, read the first time a national number is.
    static let shipped: NationalNumberRules = {
        // The build embeds Data/phone_parsing.tsv; without it no national number could be read.
        guard let text = ReferenceData.text(of: "phone_parsing.tsv") else {
            preconditionFailure("the build did not embed Data/phone_parsing.tsv")
        }
        return NationalNumberRules(tsv: text)
    }()

    /// Parses `region, national_prefix_for_parsing, transform_rule`; `#` lines are comments.
    init(tsv: String) {
        var rules: [String: Rule] = [:]
        for line in tsv.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            rules[String(fields[0])] = Rule(
                prefixForParsing: fields[1].isEmpty ? nil : NumberPattern(String(fields[1])), transform: Array(fields[2].utf8))
        }
        self.rules = rules
    }

    func rule(for region: String) -> Rule? {
        rules[region]
    }

    /// `national` with the region's national prefix (and carrier code) stripped or rewritten,
    /// as libphonenumber does it: only when the prefix matches at the start and, if the number
    /// as written already fitted the region's pattern, what is left still does.
    func stripNationalPrefix(_ national: [UInt8], region: CallingCodePlan.Region, types: NumberTypes) -> [UInt8] {
        guard let rule = rules[region.code], let prefix = rule.prefixForParsing, let match = prefix.matchAtStart(national) else {
            return national
        }
        func fits(_ digits: [UInt8]) -> Bool {
            types.fitsGeneralPattern(digits, region: region.code, callingCode: region.callingCode)
        }
        let fittedBefore = fits(national)
        let lastCapture = prefix.captureCount > 0 ? match.captures[prefix.captureCount] : nil
        let result: [UInt8]
        if rule.transform.isEmpty || lastCapture == nil {
            result = Array(national[match.end...])
        } else {
            result = Self.apply(rule.transform, captures: match.captures, in: national) + national[match.end...]
        }
        if fittedBefore && !fits(result) { return national }
        return result
    }

    /// The transform rule with `$n` replaced by capture n.
    private static func apply(_ rule: [UInt8], captures: [Range<Int>?], in digits: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < rule.count {
            if rule[index] == UInt8(ascii: "$"), index + 1 < rule.count, (0x30...0x39).contains(rule[index + 1]) {
                let group = Int(rule[index + 1] - 0x30)
                if group < captures.count, let range = captures[group] { out += digits[range] }
                index += 2
            } else {
                out.append(rule[index])
                index += 1
            }
        }
        return out
    }
}
