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

    /// The one way a service reads: `body` in one read transaction on a connection to the
    /// current database that refuses writes (`PRAGMA query_only`), from the pool when there is
    /// one, with SQLite's errors translated to the service's failures.
    func read<T>(cacheSizeKiB: Int? = nil, _ body: (SQLiteConnection) throws -> T) throws -> T {
        try withCurrentConnection(cacheSizeKiB: cacheSizeKiB) { connection in
            try connection.execute("PRAGMA query_only = ON")
            defer { try? connection.execute("PRAGMA query_only = OFF") }
            return try connection.read { try body(connection) }
        }
    }

    /// The one way a service writes: `body` in one write transaction (`BEGIN IMMEDIATE`;
    /// `durable` waits for the disk, for what must survive a power cut), errors translated.
    func write<T>(durable: Bool = false, cacheSizeKiB: Int? = nil, _ body: (SQLiteConnection) throws -> T) throws -> T {
        try withCurrentConnection(cacheSizeKiB: cacheSizeKiB) { connection in
            durable ? try connection.durableWrite { try body(connection) } : try connection.write { try body(connection) }
        }
    }

    /// Runs `body` on a connection to the current database, for work of several transactions
    /// (an import's, a purge's batches, a session's steps); closed or pooled afterwards, with its
    /// SQLite errors translated to the service's failures.
    func withCurrentConnection<T>(cacheSizeKiB: Int? = nil, _ body: (SQLiteConnection) throws -> T) throws -> T {
        guard let pool, cacheSizeKiB == nil else {
            let connection = try openCurrent(cacheSizeKiB: cacheSizeKiB)
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
