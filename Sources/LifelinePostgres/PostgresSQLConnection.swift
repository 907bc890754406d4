import FoundationEssentials
import LifelineStore
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// One connection to a PostgreSQL database, behind the store's `SQLConnection`, so every store
/// runs on it unchanged.
///
/// The store is synchronous, as SQLite is: each call here waits for postgres-nio's answer. It
/// is meant for the threads a ``Database`` runs its work on (the server's writer and readers,
/// a command's own thread), never an event loop: NIO refuses a wait there, and the
/// connection's I/O runs on NIO's shared event loops meanwhile.
public final class PostgresSQLConnection: SQLConnection {
    public let location: PostgresLocation
    private let connection: PostgresConnection
    private let logger: Logger
    /// Statement texts with their `?` numbered, by the store's text.
    private var numbered: [String: String] = [:]
    private var inTransaction = false
    private var savepointDepth = 0
    private var isClosed = false
    public private(set) var changes = 0
    public var dialect: SQLDialect { .postgres }
    public var isAutocommit: Bool { !inTransaction }
    /// Closed here, or the server hung up (a restart, a failover, the answer timeout).
    public var isLost: Bool { isClosed || isBroken || connection.isClosed }
    /// A statement found the server gone, or was given up on.
    private var isBroken = false
    /// How long a statement may go without an answer before the connection is given up as
    /// lost: a server that stopped answering (a dead host drops packets; TCP waits for many
    /// minutes) never holds a request for ever. Nil waits as long as the statement takes,
    /// for bulk work such as an import's merge.
    public var answerTimeout: Duration? = .seconds(30)

    private static let nextID = Atomic<Int>(0)

    /// Connects and signs in to the first of `location`'s servers that answers and suits its
    /// `target_session_attrs`, trying them in order as libpq does; a `reader` refuses writes
    /// (`default_transaction_read_only`). A server that answers but does not suit (a standby,
    /// when writes are wanted) is signed out of again. When none will do, the error names each
    /// server and why; with one server, it is that server's own error.
    public static func connect(
        to location: PostgresLocation, reader: Bool = false, logger: Logger = Logger(label: "lifeline.postgres")
    ) throws -> PostgresSQLConnection {
        var reasons: [String] = []
        var onlyError: PostgresEngineError?
        for endpoint in location.endpoints {
            do {
                let connection = try PostgresSQLConnection(reaching: location.reaching(endpoint), logger: logger)
                if let unsuitable = try connection.unsuitability(for: location.targetSession) {
                    connection.close()
                    reasons.append("\(endpoint) \(unsuitable)")
                    continue
                }
                DatabaseServerWatch.connected(to: endpoint, of: location, wantingWrites: location.targetSession != .any)
                if reader { try connection.execute("SET default_transaction_read_only = on") }
                return connection
            } catch let error as PostgresEngineError {
                onlyError = error
                reasons.append("\(endpoint): \(error.message)")
            }
        }
        if location.endpoints.count == 1, let onlyError { throw onlyError }
        let wanted = location.targetSession == .any ? "answered" : "accepts writes"
        throw PostgresEngineError(
            sqlState: nil, message: "no server of \(location) \(wanted): " + reasons.joined(separator: "; "), sql: nil,
            isUnreachable: true)
    }

    /// One round trip (`/readyz` asks on every probe): sessions accept writes and the server
    /// is not a standby.
    public func acceptsWrites() throws -> Bool {
        try queryFirst("SELECT current_setting('transaction_read_only') = 'off' AND NOT pg_is_in_recovery()") {
            $0.int64(at: 0) != 0
        } ?? false
    }

    /// Why this server does not suit `target`, or nil when it does.
    private func unsuitability(for target: PostgresLocation.TargetSession) throws -> String? {
        switch target {
        case .any:
            return nil
        case .readWrite:
            let readOnly = try queryFirst("SHOW transaction_read_only") { $0.string(at: 0) }
            return readOnly == "off" ? nil : "accepts no writes (transaction_read_only is \(readOnly ?? "unknown"))"
        case .primary:
            return try isInRecovery() ? "is a standby (in recovery)" : nil
        }
    }

    /// Connects and signs in to `location`'s first server.
    private init(reaching location: PostgresLocation, logger: Logger) throws {
        self.location = location
        self.logger = logger
        do {
            var configuration = PostgresConnection.Configuration(
                host: location.host, port: location.port, username: location.user, password: location.password,
                database: location.database, tls: try Self.tls(for: location))
            configuration.options.connectTimeout = TimeAmount(location.connectTimeout)
            if location.tlsMode == .verifyFull { configuration.options.tlsServerName = location.host }
            connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration,
                id: Self.nextID.add(1, ordering: .relaxed).newValue, logger: logger
            ).wait()
        } catch let error as PostgresEngineError {
            throw error
        } catch {
            throw PostgresEngineError(error, sql: nil, location: location)
        }
    }

    deinit {
        // postgres-nio's connection must outlive its channel's closing (it asserts so): the
        // completion keeps it until then.
        guard !isClosed else { return }
        let connection = connection
        connection.close().whenComplete { _ in _ = connection }
    }

    private static func tls(for location: PostgresLocation) throws -> PostgresConnection.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch location.tlsMode {
        case .disable:
            return .disable
        case .prefer, .require:
            // libpq's prefer and require encrypt without checking whom they talk to.
            tls.certificateVerification = .none
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            if let path = location.rootCertificatePath { tls.trustRoots = .file(path) }
        }
        do {
            let context = try NIOSSLContext(configuration: tls)
            return location.tlsMode == .prefer ? .prefer(context) : .require(context)
        } catch {
            throw PostgresEngineError(
                sqlState: nil, message: "cannot set up TLS for \(location): \(error)", sql: nil)
        }
    }

    // MARK: Statements

    /// Runs `sql` with `arguments` and returns its rows.
    func run(_ sql: String, arguments: [any SQLBindable]) throws -> PostgresQueryResult {
        let binder = PostgresSQLStatement.Binder()
        try binder.bind(all: arguments)
        return try run(sql, binds: binder.bindings(for: sql))
    }

    func run(_ sql: String, binds: PostgresBindings) throws -> PostgresQueryResult {
        try checkOpen(sql)
        let text: String
        if let known = numbered[sql] {
            text = known
        } else {
            text = PostgresSQLText.numberingPlaceholders(sql)
            numbered[sql] = text
        }
        let result = try answer(to: connection.query(PostgresQuery(unsafeSQL: text, binds: binds), logger: logger), sql: sql)
        // As SQLite's changes(): the rows the last INSERT, UPDATE or DELETE touched.
        if ["INSERT", "UPDATE", "DELETE"].contains(result.metadata.command) {
            changes = result.metadata.rows ?? 0
        }
        return result
    }

    private func checkOpen(_ sql: String) throws {
        guard !connection.isClosed else {
            isBroken = true
            DatabaseServerWatch.lost()
            throw PostgresEngineError(ChannelError.ioOnClosedChannel, sql: sql, location: location)
        }
        guard !isClosed, !isBroken else {
            throw PostgresEngineError(sqlState: nil, message: "the connection to \(location) is closed", sql: sql)
        }
    }

    /// Waits for `future`, the server's answer to `sql`, at most ``answerTimeout``: past it the
    /// connection is closed and given up as lost. Any failure that means the server is gone
    /// marks the connection lost too, so a pool never hands it out again.
    ///
    /// It also stops waiting once the connection has closed: postgres-nio writes a statement to
    /// its channel with no promise for the write, so one sent as the server went away (a
    /// failover's kill) is dropped unanswered, and bulk work, which has no answer timeout, would
    /// wait for it for ever. Looked at each ``closedWatchInterval``, not by a callback on the
    /// connection's closing, which would stay registered for the connection's whole life.
    private func answer<T>(to future: EventLoopFuture<T>, sql: String) throws -> T {
        let gaveUp = GaveUp()
        let silence = answerTimeout.map { timeout in
            future.eventLoop.scheduleTask(in: TimeAmount(timeout)) { [connection] in
                gaveUp.flag.store(true, ordering: .relaxed)
                connection.close().whenComplete { _ in }
            }
        }
        defer { silence?.cancel() }
        let answered = future.eventLoop.makePromise(of: T.self)
        future.cascade(to: answered)
        let watch = future.eventLoop.scheduleRepeatedTask(
            initialDelay: TimeAmount(Self.closedWatchInterval), delay: TimeAmount(Self.closedWatchInterval)
        ) { [connection] task in
            guard connection.isClosed else { return }
            task.cancel()
            answered.fail(ChannelError.ioOnClosedChannel)
        }
        defer { watch.cancel() }
        do {
            return try answered.futureResult.wait()
        } catch {
            if let timeout = answerTimeout, gaveUp.flag.load(ordering: .relaxed) {
                isBroken = true
                DatabaseServerWatch.lost()
                throw PostgresEngineError.unanswered(sql: sql, location: location, after: timeout)
            }
            let failure = PostgresEngineError(error, sql: sql, location: location)
            if failure.meansServerGone {
                isBroken = true
                DatabaseServerWatch.lost()
            }
            throw failure
        }
    }

    public func execute(_ sql: String, arguments: [any SQLBindable]) throws {
        _ = try run(sql, arguments: arguments)
    }

    public func executeScript(_ script: String) throws {
        for statement in PostgresSQLText.statements(script) {
            _ = try run(statement, binds: PostgresBindings())
        }
    }

    public func forEachRow(_ sql: String, arguments: [any SQLBindable], body: (any SQLRow) throws -> Void) throws {
        for row in try run(sql, arguments: arguments).rows {
            try body(PostgresSQLRow(row, sql: sql))
        }
    }

    public func queryFirst<T>(_ sql: String, arguments: [any SQLBindable], map transform: (any SQLRow) throws -> T) throws -> T? {
        guard let row = try run(sql, arguments: arguments).rows.first else { return nil }
        return try transform(PostgresSQLRow(row, sql: sql))
    }

    /// One `COPY … FROM STDIN` for all of `rows`, streamed in chunks: a round trip for the
    /// lot instead of one a row. postgres-nio's copy is async: it runs as a task while this
    /// thread (one of the database's, never an event loop) waits for it, as for any statement.
    public func bulkInsert(into table: String, columns: [String], rows: [[SQLValue]]) throws {
        guard !rows.isEmpty else { return }
        let sql = "COPY \(table) FROM STDIN"
        try checkOpen(sql)
        var text: [UInt8] = []
        text.reserveCapacity(rows.count * 64)
        for row in rows { PostgresCopyText.append(row, to: &text) }
        let data = ByteBuffer(bytes: text)
        let connection = connection
        let logger = logger
        let promise = connection.eventLoop.makePromise(of: Void.self)
        // The task runs on the connection's event loop, not Swift's shared pool: this thread
        // may be one of that pool's (a test, an async command), and with every one of them
        // waiting as this one does, a task queued there would never start.
        Task(executorPreference: EventLoopTaskExecutor(connection.eventLoop)) {
            do {
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { try await $0.write(data) }
                promise.succeed()
            } catch {
                promise.fail(error)
            }
        }
        try answer(to: promise.futureResult, sql: sql)
        changes = rows.count
    }

    public func prepare(_ sql: String) throws -> any SQLStatement {
        PostgresSQLStatement(sql: sql, connection: self)
    }

    /// How often a statement's wait looks whether its connection has closed under it.
    static let closedWatchInterval = Duration.milliseconds(500)

    /// Set when a statement's answer timed out and its connection was closed for it.
    private final class GaveUp: Sendable {
        let flag = Atomic<Bool>(false)
    }

    // MARK: Transactions

    /// Writes are SERIALIZABLE: each sees and leaves the database as if it ran alone, which is
    /// what the store's rules assume (SQLite has one writer at a time). A conflict with another
    /// server's transaction is SQLSTATE 40001, which ``PostgresEngineError/isBusy`` reports.
    ///
    /// Every write, durable or not, waits for its commit to be flushed and, with synchronous
    /// replication, to reach the standby (`synchronous_commit` as the server sets it): a write
    /// acknowledged to a client (a code request, an event's start, an import) must survive the
    /// loss of the primary, which SQLite, whose one file has no second server to lose it to,
    /// need not guard against. With `synchronous_commit = off` the failover test lost an
    /// acknowledged code request.
    public func write<T>(_ body: () throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL SERIALIZABLE", waitsForCommit: true, body)
    }

    public func durableWrite<T>(_ body: () throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL SERIALIZABLE", waitsForCommit: true, body)
    }

    /// READ COMMITTED, where a claim's `FOR UPDATE SKIP LOCKED` passes over the rows another
    /// server's transaction holds and re-checks the ones it takes as they are now: two
    /// dispatchers take different batches instead of failing each other as serializable
    /// transactions would.
    ///
    /// The one kind of write that does not wait for its commit (`synchronous_commit = off`): a
    /// claim or a sending record lost with the primary costs a message sent again under the
    /// same idempotency key once its lease runs out, never a message lost, and dispatch commits
    /// a batch at a time.
    public func queueWrite<T>(_ body: () throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL READ COMMITTED", waitsForCommit: false, body)
    }

    /// One snapshot for all of the reads, as SQLite's read transaction gives. A reader
    /// connection refuses writes in it (`default_transaction_read_only`); on a writer's the
    /// snapshot may still fill the connection's own temp tables, as an import's staging does.
    public func read<T>(_ body: () throws -> T) throws -> T {
        if inTransaction { return try body() }
        return try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ", waitsForCommit: true, body)
    }

    private func transaction<T>(_ begin: String, waitsForCommit: Bool, _ body: () throws -> T) throws -> T {
        guard !inTransaction else {
            throw PostgresEngineError(
                sqlState: nil, message: "a write transaction cannot start inside another; use a savepoint", sql: begin)
        }
        try execute(begin)
        inTransaction = true
        defer { inTransaction = false }
        do {
            if !waitsForCommit { try execute("SET LOCAL synchronous_commit = off") }
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let name = "lifeline_savepoint_\(savepointDepth)"
        try execute("SAVEPOINT \(name)")
        do {
            let result = try body()
            try execute("RELEASE SAVEPOINT \(name)")
            return result
        } catch {
            try? execute("ROLLBACK TO SAVEPOINT \(name)")
            try? execute("RELEASE SAVEPOINT \(name)")
            throw error
        }
    }

    /// Whether the server is a standby replaying another's log (it then refuses every write).
    public func isInRecovery() throws -> Bool {
        try queryFirst("SELECT pg_is_in_recovery()") { $0.int64(at: 0) != 0 } ?? false
    }

    // PostgreSQL's checkpointer and WAL writer are processes of their own.
    public func disableAutomaticCheckpoints() throws {}
    public func checkpointPassively() throws {}

    public func close() {
        guard !isClosed else { return }
        isClosed = true
        try? connection.close().wait()
    }
}
