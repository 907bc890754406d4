import Glibc
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
            let connection = try PostgresSQLConnection.connect(to: location, reader: reader)
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
    ///
    /// A read changes nothing, so one that finds no server (a failover under way) is run again
    /// on the next for up to ``HeldConnection/failoverWait``: an API key's check, the first
    /// step of every request, then waits the failover out with the request behind it, rather
    /// than refusing a code request that would itself have waited.
    func read<T>(cacheSizeKiB: Int? = nil, _ body: (any SQLConnection) throws -> T) throws -> T {
        try HeldConnection.untilFailoverEnds {
            let held = try settings.translatingErrors { try hold(cacheSizeKiB: cacheSizeKiB, reader: true) }
            defer { held.release() }
            return try held.read { try body(held.connection) }
        }
    }

    /// The one way a service writes: `body` in one write transaction (`BEGIN IMMEDIATE`;
    /// `durable` waits for the disk, for what must survive a power cut), errors translated.
    func write<T>(durable: Bool = false, cacheSizeKiB: Int? = nil, _ body: (any SQLConnection) throws -> T) throws -> T {
        let held = try hold(cacheSizeKiB: cacheSizeKiB)
        defer { held.release() }
        return try held.write(durable: durable) { try body(held.connection) }
    }

    /// A connection as ``hold(cacheSizeKiB:reader:)`` gives, waiting out a failover (no server
    /// that takes writes) for up to ``HeldConnection/failoverWait``.
    func holdWaitingOutFailover(cacheSizeKiB: Int? = nil) throws -> HeldConnection {
        try HeldConnection.untilFailoverEnds { try settings.translatingErrors { try hold(cacheSizeKiB: cacheSizeKiB) } }
    }

    /// A write that is idempotent by design, carried across a failover: see
    /// ``HeldConnection/idempotentWrite(durable:_:)``. Finding no server that takes writes to
    /// begin with is waited out the same way.
    func idempotentWrite<T>(durable: Bool = false, cacheSizeKiB: Int? = nil, _ body: (any SQLConnection) throws -> T) throws -> T {
        let held = try holdWaitingOutFailover(cacheSizeKiB: cacheSizeKiB)
        defer { held.release() }
        return try held.idempotentWrite(durable: durable) { try body(held.connection) }
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
    /// when one is opened. Bulk work (a cache size asked: an import, a fan-out, a dispatch run,
    /// a purge) opens a connection of its own on SQLite, outside the pool's bound; on a server
    /// it takes a kept one.
    func hold(cacheSizeKiB: Int? = nil, reader: Bool = false) throws -> HeldConnection {
        // A page cache is an SQLite connection's own; a server's connections have none, so
        // bulk work takes a kept one there (a dispatcher's run each second would otherwise
        // sign in afresh each time) and waits without limit only while it holds it.
        let isBulk = cacheSizeKiB != nil
        guard let pool, !isBulk || !settings.location.hasConnectionCache else {
            let connection = try settings.openCurrent(cacheSizeKiB: cacheSizeKiB, reader: reader)
            return HeldConnection(connection: connection, database: self, pooled: nil, cacheSizeKiB: cacheSizeKiB, reader: reader)
        }
        try pool.reserve()
        if let (connection, opened) = pool.checkOut(settings.location, reader: reader) {
            return HeldConnection(connection: connection, database: self, pooled: (pool, opened), cacheSizeKiB: cacheSizeKiB, reader: reader)
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
                return HeldConnection(connection: connection, database: self, pooled: (pool, opened), cacheSizeKiB: cacheSizeKiB, reader: reader)
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
    private(set) var connection: any SQLConnection
    private let database: Database
    private var settings: DatabaseSettings { database.settings }
    private var pooled: Pooled?
    private var isReleased = false
    /// What it was held for, to hold another the same way after a failover.
    private let cacheSizeKiB: Int?
    private let reader: Bool
    /// For bulk work: the answer timeout it lifted, given back with the connection.
    private var liftedAnswerTimeout: Duration??

    /// Bulk work (a cache size asked: an import, a fan-out, a dispatch run, a purge) waits as
    /// long as its statements take; a request's never waits past the connection's answer timeout.
    init(connection: any SQLConnection, database: Database, pooled: Pooled?, cacheSizeKiB: Int?, reader: Bool) {
        self.connection = connection
        self.database = database
        self.pooled = pooled
        self.cacheSizeKiB = cacheSizeKiB
        self.reader = reader
        let isBulk = cacheSizeKiB != nil
        liftedAnswerTimeout = isBulk ? .some(connection.answerTimeout) : nil
        if isBulk { connection.answerTimeout = nil }
    }

    /// A held connection forgotten without ``release()`` gives its pool permit back all the
    /// same: a work lane that stopped before a caller could release on it (a server shutting
    /// down mid-dispatch) would otherwise leave the pool one short, and a pool dropped while a
    /// permit is out crashes in libdispatch.
    deinit {
        release()
    }

    /// How long an idempotent write keeps looking for the server that takes writes: a
    /// failover manager elects a new primary in seconds, and Lifeline promises service back
    /// within 30.
    static let failoverWait = Duration.seconds(30)

    /// `body` in one write transaction, as ``write(durable:_:)``, and, when the server was lost
    /// (it went away, or a failover made it a standby), run again on the one that takes
    /// writes now, trying for up to ``failoverWait`` with growing pauses. Only for work that is
    /// idempotent by design (a code request under its request id, a state-checked event
    /// transition): the lost attempt may have committed before its answer was lost, and
    /// running it again must then change nothing.
    func idempotentWrite<T>(durable: Bool = false, _ body: () throws -> T) throws -> T {
        try Self.untilFailoverEnds {
            if connection.isLost { try reconnect() }
            return try write(durable: durable, body)
        }
    }

    /// Runs `attempt` again while it finds the database unavailable, for up to
    /// ``failoverWait``, with ``FailoverPatience``'s pauses.
    static func untilFailoverEnds<T>(_ attempt: () throws -> T) throws -> T {
        var patience = FailoverPatience()
        while true {
            do {
                return try attempt()
            } catch {
                try patience.wait(after: error)
            }
        }
    }

    /// Gives the lost connection up and holds another the same way: a server's pool opens it
    /// on the first host that suits, which after a failover is the new primary.
    private func reconnect() throws {
        release()
        let fresh = try settings.translatingErrors { try database.hold(cacheSizeKiB: cacheSizeKiB, reader: reader) }
        (connection, pooled, liftedAnswerTimeout) = (fresh.connection, fresh.pooled, fresh.liftedAnswerTimeout)
        fresh.isReleased = true
        isReleased = false
    }

    /// How many times a write runs when it keeps losing serialization conflicts.
    static let conflictAttempts = 8
    /// The pause before the second attempt, doubled before each next one (5 ms to 320 ms, about
    /// 0.6 s in all): a transaction that lost to a long one (an import's merge) would lose again
    /// at once, and the pauses let it finish.
    static let firstConflictPause = Duration.milliseconds(5)

    /// `body` in one write transaction (`durable`: synced to disk before it returns).
    ///
    /// A transaction PostgreSQL rolled back for a conflict with another server's is run again
    /// from the start, after a pause, up to ``conflictAttempts`` times in all: the body is the transaction's
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
            var pause = Self.firstConflictPause
            while true {
                do {
                    return try transaction()
                } catch let error as any SQLEngineError where error.isSerializationConflict && attempt < Self.conflictAttempts {
                    attempt += 1
                    usleep(UInt32(pause.wholeMilliseconds * 1000))  // a database thread's own time
                    pause *= 2
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

/// How long to wait before trying again work that found no server taking writes: 0.1 s, then
/// twice as long each time, at most 2 s, until ``HeldConnection/failoverWait`` has passed.
struct FailoverPatience {
    private let deadline = ContinuousClock.now + HeldConnection.failoverWait
    private var next = Duration.milliseconds(100)

    /// Pauses this thread before the next attempt after `error`, or throws `error` when it is
    /// not the database being unavailable or the wait is over: then it is the answer. Only on a
    /// database thread, never an event loop: such a thread has nothing else to do meanwhile.
    mutating func wait(after error: any Error) throws {
        usleep(UInt32(try pause(after: error).wholeMilliseconds * 1000))
    }

    /// ``wait(after:)`` for a task.
    mutating func wait(after error: any Error) async throws {
        try await Task.sleep(for: try pause(after: error))
    }

    private mutating func pause(after error: any Error) throws -> Duration {
        guard let failure = error as? DatabaseFailure, failure.kind == .databaseUnavailable, .now + next < deadline else { throw error }
        defer { next = min(next * 2, .seconds(2)) }
        return next
    }
}
