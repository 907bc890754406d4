import FoundationEssentials
import LifelineStore

/// The one rule for "this user's number can receive an SMS", and where its verdicts are kept.
///
/// The normaliser judges the SMS attribute's value, reading national numbers in the
/// organisation's default country (`sms.default_country`) when one is set and refusing them
/// otherwise (without it a national number is a guess, and nothing is sent on a guess). The
/// verdict is stored on the user, and everything that sends, counts or matches numbers reads
/// the stored verdict. A number is sent to exactly when it is valid (in long format) or
/// deliverable (its country is named, or it is national in the default country): both are
/// stored as `valid` with the long form, the second with a note that the value is not in long
/// format. What `sms verify-numbers` calls fixable, invalid or missing is never texted.
enum SMSNumberRule {
    /// The version of the rule and of the calling-code data it judges with. A database whose
    /// numbers were judged by another version is re-judged by `lifeline migrate` before use.
    /// Bump it whenever the normaliser, `Data/phone_regions.tsv` or `Data/phone_types.tsv`
    /// changes (a test pins the data).
    /// 2: `tel:` URIs, extensions (dropped, and said), `++`, and spreadsheet-mangled numbers.
    /// 3: lines that cannot receive an SMS (fixed-line, toll-free, premium-rate, …) are refused.
    /// 4: a number that names its country (`+`, `00`, `011`, `tel:`) is deliverable, and so is
    ///    a national number once `sms.default_country` is set.
    static let version = "4"
    static let versionKey = "sms.rule_version"
    /// The setting naming the country national numbers are read in.
    static let defaultCountryKey = "sms.default_country"
    /// The note stored with a deliverable number.
    static let notLongFormatNote = "deliverable; not in long format"

    /// The normaliser for the organisation's settings: national numbers are read in its
    /// default country, when one is set.
    static func normalizer(connection: any SQLConnection) throws -> PhoneNumberNormalizer {
        PhoneNumberNormalizer(defaultRegion: try defaultRegion(connection: connection))
    }

    /// The default country setting's region, or nil when none is set.
    static func defaultRegion(connection: any SQLConnection) throws -> CallingCodePlan.Region? {
        try SettingsStore(connection: connection).value(for: defaultCountryKey).flatMap {
            CallingCodePlan.shipped.region(named: $0)
        }
    }

    /// The verdict on one stored value (nil: the user has none).
    static func judge(_ value: String?, by normalizer: PhoneNumberNormalizer) -> StoredSMSNumber {
        guard let value else { return .missing }
        switch normalizer.verdict(for: value) {
        case .valid(let number): return StoredSMSNumber(status: .valid, number: number, note: nil)
        case .deliverable(let number, _): return StoredSMSNumber(status: .valid, number: number, note: notLongFormatNote)
        case .missing: return .missing
        case .invalid(let problem): return StoredSMSNumber(status: .invalid, number: nil, note: problem.description)
        case .fixable(let long, _): return StoredSMSNumber(status: .fixable, number: nil, note: long)
        }
    }

    /// Whether the database's stored verdicts were made by this version of the rule.
    static func isCurrent(connection: any SQLConnection) throws -> Bool {
        try SettingsStore(connection: connection).value(for: versionKey) == version
    }

    /// Judges every user's value of the current SMS attribute again (all missing when none is
    /// chosen) and records this rule's version. Runs inside the caller's write transaction.
    @discardableResult
    static func judgeAll(connection: any SQLConnection, at date: Date) throws -> Int {
        let attribute = try SMSSettings(connection: connection).identity()
        let store = try SMSNumberStore(connection: connection)
        let normalizer = try normalizer(connection: connection)
        var count = 0
        try store.forEachUserValue(attributeID: attribute?.id) { userID, value in
            try store.set(judge(value, by: normalizer), userID: userID)
            count += 1
        }
        try SettingsStore(connection: connection).setValue(version, for: versionKey, at: date)
        return count
    }
}
