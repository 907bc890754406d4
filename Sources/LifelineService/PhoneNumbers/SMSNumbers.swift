import FoundationEssentials
import LifelineStore

/// One user's line in the number verification report.
public struct NumberCheck: Sendable, Equatable {
    public let email: String
    /// The stored value, as stored (nil when the user has none).
    public let value: String?
    public let verdict: PhoneNumberVerdict
    /// How many active users share this number (in long format); 1 when not shared.
    public let sharedBy: Int
}

/// The counts of a number verification.
public struct NumberCheckSummary: Sendable, Equatable {
    public var attribute = ""
    public var users = 0
    /// In long format.
    public var valid = 0
    /// Sent to, though not in long format (``PhoneNumberVerdict/deliverable(_:droppedExtension:)``).
    public var deliverable = 0
    public var missing = 0
    public var invalid = 0
    public var fixable = 0
    /// Users whose usable number another active user also has.
    public var shared = 0
    /// Values rewritten by `--fix`.
    public var fixed = 0

    /// The counts, named as every report names them (the CLI's table, the HTTP answer).
    public var counts: [(name: String, value: Int)] {
        [
            ("users", users), ("valid", valid), ("deliverable", deliverable), ("missing", missing), ("invalid", invalid), ("fixable", fixable),
            ("shared", shared), ("fixed", fixed),
        ]
    }
}

/// A page of the number report: the counts over everyone, the first rows that match a filter,
/// and how many matched in all.
public struct NumberReport: Sendable {
    public let summary: NumberCheckSummary
    public let checks: [NumberCheck]
    public let matched: Int

    public var isTruncated: Bool { matched > checks.count }
}

/// The SMS attribute and the verification of users' numbers.
public struct SMSNumbers: Sendable {
    public let environment: LifelineEnvironment
    public var database: Database { environment.database }
    public var clock: any WallClock { environment.clock }

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    /// The chosen SMS attribute, or nil.
    public func attribute() throws -> AttributeDefinition? {
        return try database.read { connection in try SMSSettings(connection: connection).attribute() }
    }

    /// Chooses the SMS attribute; it must exist. Every user's number is judged again from it,
    /// in the same transaction, so every later send reads the new numbers.
    @discardableResult
    public func setAttribute(named name: String) throws -> AttributeDefinition {
        return try database.write { connection in
            let store = DirectoryStore(connection: connection)
            guard let attribute = try store.attribute(named: name.trimmingBlanks()) else {
                throw DirectoryFailure.attributeNotFound(name: name, known: try store.attributes().map(\.name))
            }
            let now = clock.now()
            try SettingsStore(connection: connection).setValue(attribute.name, for: SMSSettings.attributeKey, at: now)
            try SMSNumberRule.judgeAll(connection: connection, at: now)
            return attribute
        }
    }

    /// Sets the country national numbers are read in (nil: none), and judges every user's
    /// number again in the same transaction. Whether the setting changed.
    @discardableResult
    public func setDefaultCountry(_ region: CallingCodePlan.Region?) throws -> Bool {
        return try database.write { connection in
            let store = SettingsStore(connection: connection)
            let now = clock.now()
            let before = try store.value(for: SMSNumberRule.defaultCountryKey)
            if let region {
                try store.setValue(region.code, for: SMSNumberRule.defaultCountryKey, at: now)
            } else {
                try store.removeValue(for: SMSNumberRule.defaultCountryKey)
            }
            try SMSNumberRule.judgeAll(connection: connection, at: now)
            return before != region?.code
        }
    }

    /// The default country setting's region, or nil when none is set.
    public func defaultCountry() throws -> CallingCodePlan.Region? {
        return try database.read { connection in try SMSNumberRule.defaultRegion(connection: connection) }
    }

    /// The region `name` names, for `--default-country`.
    public static func region(named name: String) throws -> CallingCodePlan.Region {
        guard let region = CallingCodePlan.shipped.region(named: name) else { throw DirectoryFailure.unknownCountry(name) }
        return region
    }

    /// The report's rows that `filter` keeps (all when nil), the first `limit` of them: what a
    /// screen or an answer shows.
    public func report(defaultRegion: CallingCodePlan.Region?, filter: NumberReportFilter?, limit: Int) throws -> NumberReport {
        var checks: [NumberCheck] = []
        var matched = 0
        let summary = try verify(defaultRegion: defaultRegion, fix: false) { check in
            guard filter?.includes(check) ?? true else { return }
            matched += 1
            if checks.count < limit { checks.append(check) }
        }
        return NumberReport(summary: summary, checks: checks, matched: matched)
    }

    /// The values not in long format that read as a number (deliverable and fixable ones),
    /// each with its long form; rewritten in the same pass when `apply`.
    public func fixes(defaultRegion: CallingCodePlan.Region?, apply: Bool) throws
        -> (summary: NumberCheckSummary, fixes: [(check: NumberCheck, long: String)])
    {
        var fixes: [(check: NumberCheck, long: String)] = []
        let summary = try verify(defaultRegion: defaultRegion, fix: apply) { check in
            if let long = check.verdict.fix { fixes.append((check, long)) }
        }
        return (summary, fixes)
    }

    /// Checks every active user's SMS number, reading national numbers in `defaultRegion` (nil:
    /// the `sms.default_country` setting's, if any). `report` receives each row (when given, a
    /// second pass marks shared numbers, which only the first pass can count); with `fix`, values
    /// that read as a number but are not in long format (deliverable and fixable ones) are
    /// rewritten to their long form in one transaction.
    public func verify(
        defaultRegion: CallingCodePlan.Region?, fix: Bool, report: ((NumberCheck) throws -> Void)?
    ) throws -> NumberCheckSummary {
        let body = { (connection: any SQLConnection) throws -> NumberCheckSummary in
            let attribute = try SMSSettings(connection: connection).requireAttribute()
            let setting = try SMSNumberRule.normalizer(connection: connection)
            let normalizer = defaultRegion.map { PhoneNumberNormalizer(defaultRegion: $0) } ?? setting
            let store = DirectoryStore(connection: connection)
            var summary = NumberCheckSummary(attribute: attribute.name)
            // Numbers as integers (at most 15 digits fit in 50 bits): a compact count per number.
            var counts: [UInt64: UInt32] = [:]
            var fixes: [(userID: Int64, long: String)] = []
            // Pass 1's long numbers, in row order, so the report's pass need not normalise
            // again (0 = no usable number): 8 bytes per user.
            var longNumbers: [UInt64] = []
            try store.forEachActiveUser(withAttribute: attribute.id) { userID, _, value in
                let verdict = normalizer.verdict(for: value ?? "")
                summary.users += 1
                switch verdict {
                case .valid: summary.valid += 1
                case .deliverable: summary.deliverable += 1
                case .missing: summary.missing += 1
                case .invalid: summary.invalid += 1
                case .fixable: summary.fixable += 1
                }
                if fix, let long = verdict.fix { fixes.append((userID, long)) }
                let number = verdict.longFormat.flatMap { UInt64($0) } ?? 0
                if number != 0 { counts[number, default: 0] += 1 }
                if report != nil { longNumbers.append(number) }
            }
            summary.shared = counts.values.reduce(0) { $1 > 1 ? $0 + Int($1) : $0 }
            if let report {
                var index = 0
                try store.forEachActiveUser(withAttribute: attribute.id) { _, email, value in
                    let number = index < longNumbers.count ? longNumbers[index] : 0
                    index += 1
                    let verdict: PhoneNumberVerdict
                    if number == 0 {
                        verdict = value == nil ? .missing : normalizer.verdict(for: value ?? "")
                    } else {
                        let long = String(number)
                        // Pass 1 said valid exactly when the value, less surrounding blanks, is the long form.
                        // Any other (rarer) is judged again for what its fix drops.
                        verdict = value?.trimmingBlanks() == long ? .valid(long) : normalizer.verdict(for: value ?? "")
                    }
                    let sharedBy = number == 0 ? 1 : Int(counts[number] ?? 1)
                    try report(NumberCheck(email: email, value: value, verdict: verdict, sharedBy: sharedBy))
                }
            }
            let now = clock.now()
            if !fixes.isEmpty {
                let writer = try DirectoryWriter(connection: connection)
                let numbers = try SMSNumberStore(connection: connection)
                for fix in fixes {
                    try writer.setValue(
                        userID: fix.userID, attributeID: attribute.id, value: fix.long, at: now.epochMilliseconds)
                    try numbers.set(SMSNumberRule.judge(fix.long, by: setting), userID: fix.userID)
                }
            }
            summary.fixed = fixes.count
            return summary
        }
        // One snapshot for both passes; a write transaction only when fixing.
        return fix ? try database.write(body) : try database.read(body)
    }
}
