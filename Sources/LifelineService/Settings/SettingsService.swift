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
    public let settings: DatabaseSettings
    public let clock: any WallClock

    public init(settings: DatabaseSettings, clock: any WallClock = SystemClock()) {
        self.settings = settings
        self.clock = clock
    }

    /// Every known setting with its stored value, or its default.
    public func list() throws -> [SettingValue] {
        let connection = try settings.openCurrent()
        defer { connection.close() }
        return try settings.translatingErrors {
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
        guard definition.isValid(value) else {
            throw SettingsFailure.invalidValue(key: key, value: value, rule: definition.rule)
        }
        if key == SMSSettings.attributeKey {
            try SMSNumbers(settings: settings, clock: clock).setAttribute(named: value)
            return
        }
        let connection = try settings.openCurrent()
        defer { connection.close() }
        try settings.translatingErrors {
            try connection.write { try SettingsStore(connection: connection).setValue(value, for: key, at: clock.now()) }
        }
    }
}
