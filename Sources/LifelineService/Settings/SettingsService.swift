import LifelineStore

/// A setting's current value, as `settings list` shows it.
public struct SettingValue: Sendable, Equatable {
    public let key: String
    public let value: String?
    public let isDefault: Bool
    public let summary: String
}

/// Lists and changes the service's settings, validating each against its rule.
public struct SettingsService: Sendable {
    public let environment: LifelineEnvironment
    public var database: Database { environment.database }
    public var clock: any WallClock { environment.clock }

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    /// Every known setting with its stored value, or its default.
    public func list() throws -> [SettingValue] {
        return try database.read { connection in
            let store = SettingsStore(connection: connection)
            return try SettingsCatalog.all.map { definition in
                let stored = try store.value(for: definition.key)
                return SettingValue(
                    key: definition.key, value: stored ?? definition.defaultValue, isDefault: stored == nil,
                    summary: definition.summary)
            }
        }
    }

    /// Sets one setting; the value must meet its rule (the SMS attribute must exist).
    public func set(_ key: String, to value: String) throws {
        guard let definition = SettingsCatalog.definition(for: key) else { throw SettingsFailure.unknownKey(key) }
        let value = value.trimmingBlanks()
        // Its own reading says which entry is wrong and why.
        if key == SCIMAttributeMap.key { _ = try SCIMAttributeMap(parsing: value) }
        guard definition.isValid(value) else {
            throw SettingsFailure.invalidValue(key: key, value: value, rule: definition.rule)
        }
        switch key {
        case SMSSettings.attributeKey:
            try SMSNumbers(environment).setAttribute(named: value)
        case SMSNumberRule.defaultCountryKey:
            try SMSNumbers(environment).setDefaultCountry(CallingCodePlan.shipped.region(named: value))
        default:
            try database.write { try SettingsStore(connection: $0).setValue(value, for: key, at: clock.now()) }
        }
    }

    /// Removes a setting's value, so its default applies again (for the default country: none,
    /// and every number is judged again without one). Whether it had a value.
    @discardableResult
    public func unset(_ key: String) throws -> Bool {
        guard SettingsCatalog.definition(for: key) != nil else { throw SettingsFailure.unknownKey(key) }
        if key == SMSNumberRule.defaultCountryKey { return try SMSNumbers(environment).setDefaultCountry(nil) }
        return try database.write { try SettingsStore(connection: $0).removeValue(for: key) }
    }
}
