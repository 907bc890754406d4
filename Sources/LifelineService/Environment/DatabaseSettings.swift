import LifelineStore

/// Where the database is and how to open it.
public struct DatabaseSettings: Sendable {
    /// The default database path, relative to the working folder.
    public static let defaultPath = "./lifeline.db"

    /// The database file.
    public var path: String
    /// How long to wait for another process's lock before giving up with "busy".
    public var busyTimeout: Duration

    public init(path: String = DatabaseSettings.defaultPath, busyTimeout: Duration = .seconds(5)) {
        self.path = path
        self.busyTimeout = busyTimeout
    }

    /// The connection configuration for these settings.
    func connectionConfiguration(createIfMissing: Bool) -> SQLiteConfiguration {
        var configuration = SQLiteConfiguration()
        configuration.busyTimeout = busyTimeout
        configuration.createIfMissing = createIfMissing
        return configuration
    }
}

extension Duration {
    /// The duration in whole milliseconds, for messages and options.
    public var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
