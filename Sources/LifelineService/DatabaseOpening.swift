import LifelineStore

/// The schema is not the one this binary works with.
public struct SchemaNotCurrent: LifelineFailure {
    public let path: String
    public let currentVersion: Int
    public let latestVersion: Int
    public var kind: FailureKind { .configuration }
    public var message: String {
        currentVersion == 0
            ? "\(path) has no Lifeline schema yet"
            : "\(path) is at schema version \(currentVersion); this binary needs version \(latestVersion)"
    }
    public var remedy: String? { "run `lifeline migrate`" }
}

/// The users' SMS numbers were judged by another version of the number rule (or not yet).
public struct NumbersNotJudged: LifelineFailure {
    public let path: String
    public var kind: FailureKind { .configuration }
    public var message: String {
        "the SMS numbers in \(path) have not been judged by this binary's number rule (version \(SMSNumberRule.version))"
    }
    public var remedy: String? { "run `lifeline migrate`" }
}

extension DatabaseSettings {
    /// Opens an existing database whose schema is exactly the binary's; refuses anything else.
    ///
    /// `cacheSizeKiB` overrides the page cache (bulk work such as imports wants a larger one).
    func openCurrent(cacheSizeKiB: Int? = nil) throws -> SQLiteConnection {
        try translatingErrors {
            var configuration = connectionConfiguration(createIfMissing: false)
            if let cacheSizeKiB { configuration.cacheSizeKiB = cacheSizeKiB }
            let connection = try SQLiteConnection(path: path, configuration: configuration)
            let migrator = try LifelineSchema.makeMigrator()
            let status = try migrator.status(of: connection)
            if let problem = status.problems.first { throw problem }
            guard status.pending.isEmpty else {
                throw SchemaNotCurrent(
                    path: path, currentVersion: status.currentVersion, latestVersion: migrator.latestVersion)
            }
            guard try SMSNumberRule.isCurrent(connection: connection) else { throw NumbersNotJudged(path: path) }
            return connection
        }
    }

    /// Runs `body` on a connection to the current database, closed afterwards, with its SQLite
    /// errors translated to the service's failures.
    func withCurrentConnection<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        guard let pool else {
            let connection = try openCurrent()
            defer { connection.close() }
            return try translatingErrors { try body(connection) }
        }
        let connection: SQLiteConnection, opened: ConnectionPool.Opened
        if let kept = pool.checkOut(path: path) {
            (connection, opened) = kept
        } else {
            connection = try openCurrent()
            do {
                opened = ConnectionPool.Opened(
                    file: ConnectionPool.FileIdentity(path: path), schemaVersion: try translatingErrors { try connection.schemaVersion() })
            } catch {
                connection.close()
                throw error
            }
        }
        defer { pool.checkIn(connection, opened: opened) }
        return try translatingErrors { try body(connection) }
    }
}
