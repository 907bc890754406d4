import FoundationEssentials
import LifelineStore

/// The one rule for "this user's number can receive an SMS", and where its verdicts are kept.
///
/// The normaliser judges the SMS attribute's value (no default country: a national number is
/// a guess, and nothing is sent on a guess); the verdict is stored on the user, and everything
/// that sends, counts or matches numbers reads the stored verdict. Only a `valid` number (the
/// value already in long format) is ever sent to, so what `sms verify-numbers` calls anything
/// else is never texted.
enum SMSNumberRule {
    /// The version of the rule and of the calling-code data it judges with. A database whose
    /// numbers were judged by another version is re-judged by `lifeline migrate` before use.
    /// Bump it whenever the normaliser, `Data/phone_regions.tsv` or `Data/phone_types.tsv`
    /// changes (a test pins the data).
    /// 2: `tel:` URIs, extensions (dropped, and said), `++`, and spreadsheet-mangled numbers.
    /// 3: lines that cannot receive an SMS (fixed-line, toll-free, premium-rate, …) are refused.
    static let version = "3"
    static let versionKey = "sms.rule_version"

    /// The verdict on one stored value (nil: the user has none).
    static func judge(_ value: String?) -> StoredSMSNumber {
        guard let value else { return .missing }
        switch PhoneNumberNormalizer().verdict(for: value) {
        case .valid(let number): return StoredSMSNumber(status: .valid, number: number, note: nil)
        case .missing: return .missing
        case .invalid(let problem): return StoredSMSNumber(status: .invalid, number: nil, note: problem.description)
        case .fixable(let long, _): return StoredSMSNumber(status: .fixable, number: nil, note: long)
        }
    }

    /// Whether the database's stored verdicts were made by this version of the rule.
    static func isCurrent(connection: SQLiteConnection) throws -> Bool {
        try SettingsStore(connection: connection).value(for: versionKey) == version
    }

    /// Judges every user's value of the current SMS attribute again (all missing when none is
    /// chosen) and records this rule's version. Runs inside the caller's write transaction.
    @discardableResult
    static func judgeAll(connection: SQLiteConnection, at date: Date) throws -> Int {
        let attribute = try SMSSettings(connection: connection).identity()
        let store = try SMSNumberStore(connection: connection)
        var count = 0
        try store.forEachUserValue(attributeID: attribute?.id) { userID, value in
            try store.set(judge(value), userID: userID)
            count += 1
        }
        try SettingsStore(connection: connection).setValue(version, for: versionKey, at: date)
        return count
    }
}
