import LifelinePostgres
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
    func openCurrent(cacheSizeKiB: Int? = nil, reader: Bool = false) throws -> any SQLConnection {
        try translatingErrors { try checkedCurrent(open(cacheSizeKiB: cacheSizeKiB, reader: reader, createIfMissing: false)) }
    }

    /// `connection` when its schema is exactly the binary's and its numbers judged; else it is
    /// closed and the reason thrown (untranslated: callers translate).
    func checkedCurrent<Connection: SQLConnection>(_ connection: Connection) throws -> Connection {
        do {
            let migrator = try makeMigrator()
            let status = try migrator.status(of: connection)
            if let problem = status.problems.first { throw problem }
            guard status.pending.isEmpty else {
                throw SchemaNotCurrent(
                    path: path, currentVersion: status.currentVersion, latestVersion: migrator.latestVersion)
            }
            guard try SMSNumberRule.isCurrent(connection: connection) else { throw NumbersNotJudged(path: path) }
            return connection
        } catch {
            connection.close()
            throw error
        }
    }

    /// A connection to the database on its engine, schema unchecked: a `reader` refuses writes
    /// (SQLite's `query_only`, PostgreSQL's read-only transactions).
    func open(cacheSizeKiB: Int? = nil, reader: Bool = false, createIfMissing: Bool) throws -> any SQLConnection {
        switch location {
        case .sqlite(let path):
            return try openFile(path, cacheSizeKiB: cacheSizeKiB, reader: reader, createIfMissing: createIfMissing)
        case .postgres(let location):
            let connection = try PostgresSQLConnection(location: location, reader: reader)
            if cacheSizeKiB != nil { connection.answerTimeout = nil }  // bulk work: see hold(cacheSizeKiB:reader:)
            return connection
        }
    }

    /// A connection to the SQLite file at `path`.
    func openFile(_ path: String, cacheSizeKiB: Int? = nil, reader: Bool = false, createIfMissing: Bool) throws -> SQLiteConnection {
        var configuration = connectionConfiguration(createIfMissing: createIfMissing)
        if let cacheSizeKiB { configuration.cacheSizeKiB = cacheSizeKiB }
        let connection = try SQLiteConnection(path: path, configuration: configuration)
        if reader { try connection.execute("PRAGMA query_only = ON") }
        return connection
    }
}

extension Database {
    /// The one way a service reads: `body` in one read transaction on a connection to the
    /// current database that refuses writes (`PRAGMA query_only`), from the pool when there is
    /// one, with SQLite's errors translated to the service's failures.
    func read<T>(cacheSizeKiB: Int? = nil, _ body: (any SQLConnection) throws -> T) throws -> T {
        let held = try hold(cacheSizeKiB: cacheSizeKiB, reader: true)
        defer { held.release() }
        return try held.read { try body(held.connection) }
    }

    /// The one way a service writes: `body` in one write transaction (`BEGIN IMMEDIATE`;
    /// `durable` waits for the disk, for what must survive a power cut), errors translated.
    func write<T>(durable: Bool = false, cacheSizeKiB: Int? = nil, _ body: (any SQLConnection) throws -> T) throws -> T {
        let held = try hold(cacheSizeKiB: cacheSizeKiB)
        defer { held.release() }
        return try held.write(durable: durable) { try body(held.connection) }
    }

    /// Runs `body` on a connection to the current database, for work of several transactions
    /// (an import's, a purge's batches); closed or pooled afterwards, with its SQLite errors
    /// translated to the service's failures.
    func withCurrentConnection<T>(cacheSizeKiB: Int? = nil, _ body: (any SQLConnection) throws -> T) throws -> T {
        let held = try hold(cacheSizeKiB: cacheSizeKiB)
        defer { held.release() }
        return try settings.translatingErrors { try body(held.connection) }
    }

    /// A connection to the current database for a session's many steps (consent, codes,
    /// dispatch), from the pool when there is one and no special cache is asked for; give it
    /// back with ``HeldConnection/release()``.
    /// A `reader` refuses writes: readers are pooled apart from writers, so that is set once
    /// when one is opened. Bulk work (a cache size asked: an import, a dispatch run, a purge)
    /// opens a connection of its own, outside the pool's bound.
    func hold(cacheSizeKiB: Int? = nil, reader: Bool = false) throws -> HeldConnection {
        // A page cache is an SQLite connection's own: bulk work there opens a connection of
        // its own. A server's connections have no such setting, so bulk work takes a kept one
        // (a dispatcher's run each second would otherwise sign in afresh each time) and only
        // waits without limit while it holds it.
        let isBulk = cacheSizeKiB != nil
        guard let pool, !isBulk || !settings.location.hasConnectionCache else {
            let connection = try settings.openCurrent(cacheSizeKiB: cacheSizeKiB, reader: reader)
            return HeldConnection(connection: connection, settings: settings, pooled: nil)
        }
        try pool.reserve()
        if let (connection, opened) = pool.checkOut(settings.location, reader: reader) {
            return HeldConnection(connection: connection, settings: settings, pooled: (pool, opened), isBulk: isBulk)
        }
        do {
            let connection = try settings.openCurrent(reader: reader)
            do {
                let opened: ConnectionPool.Opened
                if let file = connection as? SQLiteConnection, case .sqlite(let path) = settings.location {
                    opened = ConnectionPool.Opened(
                        file: ConnectionPool.FileIdentity(path: path),
                        schemaVersion: try settings.translatingErrors { try file.schemaVersion() }, isReader: reader)
                } else {
                    opened = ConnectionPool.Opened(file: nil, schemaVersion: nil, isReader: reader)
                }
                return HeldConnection(connection: connection, settings: settings, pooled: (pool, opened), isBulk: isBulk)
            } catch {
                connection.close()
                throw error
            }
        } catch {
            pool.giveBack()
            throw error
        }
    }
}

/// A connection held for several steps, with the one transaction and error translation every
/// service step uses. Not `Sendable`, like the connection: one task at a time.
final class HeldConnection {
    typealias Pooled = (pool: ConnectionPool, opened: ConnectionPool.Opened)
    let connection: any SQLConnection
    private let settings: DatabaseSettings
    private let pooled: Pooled?
    private var isReleased = false
    /// For bulk work: the answer timeout it lifted, given back with the connection.
    private let liftedAnswerTimeout: Duration??

    /// Bulk work (`isBulk`: an import, a fan-out, a dispatch run, a purge) waits as long as its
    /// statements take; a request's never waits past the connection's answer timeout.
    init(connection: any SQLConnection, settings: DatabaseSettings, pooled: Pooled?, isBulk: Bool = false) {
        self.connection = connection
        self.settings = settings
        self.pooled = pooled
        liftedAnswerTimeout = isBulk ? .some(connection.answerTimeout) : nil
        if isBulk { connection.answerTimeout = nil }
    }

    /// How many times a write runs when it keeps losing serialization conflicts.
    static let conflictAttempts = 5

    /// `body` in one write transaction (`durable`: synced to disk before it returns).
    ///
    /// A transaction PostgreSQL rolled back for a conflict with another server's is run again
    /// from the start, up to ``conflictAttempts`` times in all: the body is the transaction's
    /// whole work, and a rolled-back attempt left nothing behind. SQLite never conflicts.
    func write<T>(durable: Bool = false, _ body: () throws -> T) throws -> T {
        try retryingConflicts { durable ? try connection.durableWrite(body) : try connection.write(body) }
    }

    /// `body` in one queue write (``SQLConnection/queueWrite(_:)``: claims that skip the rows
    /// another server holds), run again after a conflict as ``write(durable:_:)`` is.
    func queueWrite<T>(_ body: () throws -> T) throws -> T {
        try retryingConflicts { try connection.queueWrite(body) }
    }

    private func retryingConflicts<T>(_ transaction: () throws -> T) throws -> T {
        try settings.translatingErrors {
            var attempt = 1
            while true {
                do {
                    return try transaction()
                } catch let error as any SQLEngineError where error.isSerializationConflict && attempt < Self.conflictAttempts {
                    attempt += 1
                }
            }
        }
    }

    /// `body` in one read transaction.
    func read<T>(_ body: () throws -> T) throws -> T {
        try settings.translatingErrors { try connection.read(body) }
    }

    /// Back to the pool, or closed.
    func release() {
        guard !isReleased else { return }
        isReleased = true
        guard let pooled else { return connection.close() }
        if let liftedAnswerTimeout { connection.answerTimeout = liftedAnswerTimeout }
        pooled.pool.checkIn(connection, opened: pooled.opened)
    }
}
