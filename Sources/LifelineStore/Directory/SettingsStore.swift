import FoundationEssentials

/// The `settings` table: string values by key; the service validates them.
public struct SettingsStore {
    public let connection: any SQLConnection

    public init(connection: any SQLConnection) {
        self.connection = connection
    }

    /// The value stored for `key`, if any.
    public func value(for key: String) throws -> String? {
        try connection.queryFirst("SELECT value FROM settings WHERE key = ?", key) { $0.string(at: 0) }
    }

    /// Stores `value` for `key`.
    public func setValue(_ value: String, for key: String, at date: Date) throws {
        try connection.execute(
            """
            INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """, key, value, date)
    }

    /// Removes `key`'s value, so its default applies again; whether there was one.
    @discardableResult
    public func removeValue(for key: String) throws -> Bool {
        try connection.execute("DELETE FROM settings WHERE key = ?", key)
        return connection.changes == 1
    }

    /// Every stored setting, by key.
    public func all() throws -> [(key: String, value: String)] {
        try connection.query("SELECT key, value FROM settings ORDER BY key") { ($0.string(at: 0), $0.string(at: 1)) }
    }
}
