import CSQLite
import FoundationEssentials
import Glibc

/// One connection to an SQLite database file, opened with the project's conventions:
/// extended result codes, WAL, foreign keys, a busy timeout, defensive mode and no
/// double-quoted string literals.
///
/// Concurrency: a connection is deliberately not `Sendable`. It belongs to one task or thread
/// at a time, with its statement cache. Threads and processes that share a database each open
/// their own connection; SQLite's file locks plus the busy timeout serialize their writers, and
/// WAL lets readers run beside one writer.
public final class SQLiteConnection: SQLConnection {
    /// The path the connection was opened with.
    public let path: String
    /// The configuration the connection was opened with.
    public let configuration: SQLiteConfiguration
    let handle: OpaquePointer
    /// Prepared statements by SQL text. A list, not a Dictionary: a connection caches a few dozen
    /// statements whose texts are mostly the same literals (equal at the first, pointer,
    /// comparison), and a `[String: SQLiteStatement]` cost every command a scan of the runtime's
    /// whole conformance table for `String: Hashable` (about 5% of an `optin status` run).
    private var statementCache: [(sql: String, statement: SQLiteStatement)] = []
    var savepointDepth = 0
    public var dialect: SQLDialect { .sqlite }
    private var isClosed = false

    /// Opens (and, if configured, creates) the database at `path`; `":memory:"` opens a private
    /// in-memory database. Throws ``SQLiteError``.
    public init(path: String, configuration: SQLiteConfiguration = SQLiteConfiguration()) throws {
        self.path = path
        self.configuration = configuration
        let isFile = path != ":memory:" && !path.isEmpty
        if isFile && !configuration.isReadOnly {
            try Self.createFileIfMissing(path, configuration: configuration)
        }
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        flags |= configuration.isReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let error = SQLiteError(handle: handle, code: code, sql: nil)
            sqlite3_close_v2(handle)
            throw Self.explainOpenFailure(error, path: path)
        }
        self.handle = handle
        do {
            try configure(isFile: isFile)
        } catch {
            sqlite3_close_v2(handle)
            isClosed = true
            throw error
        }
    }

    deinit {
        close()
    }

    /// Finalizes every cached statement and closes the connection; safe to call twice.
    ///
    /// Statements still held elsewhere keep the handle alive (`sqlite3_close_v2`) until they go.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    private func configure(isFile: Bool) throws {
        sqlite3_extended_result_codes(handle, 1)
        try check(sqlite3_busy_timeout(handle, configuration.busyTimeoutMilliseconds))
        // Defensive mode stops SQL from corrupting the file on purpose (writable_schema and
        // friends); double-quoted strings are an old misfeature that turns typos into literals.
        try check(lifeline_sqlite3_db_config_int(handle, SQLITE_DBCONFIG_DEFENSIVE, 1))
        try check(lifeline_sqlite3_db_config_int(handle, SQLITE_DBCONFIG_DQS_DDL, 0))
        try check(lifeline_sqlite3_db_config_int(handle, SQLITE_DBCONFIG_DQS_DML, 0))
        if isFile && !configuration.isReadOnly {
            let mode = try prepare("PRAGMA journal_mode = WAL").first { $0.string(at: 0) }
            if mode?.lowercased() != "wal" {
                throw SQLiteError(
                    resultCode: .SQLITE_ERROR,
                    message: "could not switch \(path) to WAL journal mode (it stayed \(mode ?? "unknown"))",
                    sql: "PRAGMA journal_mode = WAL")
            }
        } else {
            // A read-only connection cannot change the journal mode; reading the schema still
            // proves the file is a database.
            try prepare("SELECT count(*) FROM sqlite_schema").run()
        }
        try executeScript(
            """
            PRAGMA foreign_keys = ON;
            PRAGMA synchronous = \(configuration.synchronous.rawValue);
            PRAGMA cache_size = -\(max(0, configuration.cacheSizeKiB));
            """)
    }

    // MARK: Statements

    /// Prepares a statement that is not cached (for one-off or schema statements).
    public func prepare(_ sql: String) throws -> any SQLStatement {
        try prepareStatement(sql)
    }

    /// Prepares an SQLite statement that is not cached, for the SQLite-only work that needs one.
    public func prepareStatement(_ sql: String) throws -> SQLiteStatement {
        try checkOpen(sql)
        return try SQLiteStatement(connection: handle, sql: sql)
    }

    /// The cached prepared statement for `sql`, reset and with no bindings.
    ///
    /// If that statement is in the middle of being stepped (a nested query with the same SQL),
    /// a fresh uncached one is returned instead, so the outer iteration is not disturbed.
    public func cachedStatement(_ sql: String) throws -> SQLiteStatement {
        try checkOpen(sql)
        if let statement = statementCache.first(where: { $0.sql == sql })?.statement {
            if sqlite3_stmt_busy(statement.handle) != 0 {
                return try SQLiteStatement(connection: handle, sql: sql)
            }
            return statement
        }
        let statement = try SQLiteStatement(connection: handle, sql: sql)
        statementCache.append((sql, statement))
        return statement
    }

    /// Runs one statement with positional arguments, through the statement cache.
    public func execute(_ sql: String, arguments: [any SQLBindable]) throws {
        let statement = try cachedStatement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        try statement.run()
    }

    /// Runs one statement with named arguments (`[":email": email]`), through the statement cache.
    public func execute(_ sql: String, named arguments: [String: any SQLBindable]) throws {
        let statement = try cachedStatement(sql)
        defer { statement.reset() }
        try statement.bind(named: arguments)
        try statement.run()
    }

    /// Stops this connection's automatic WAL checkpoints, for a writer that runs its own with
    /// ``checkpointPassively()`` between transactions (other connections keep theirs).
    public func disableAutomaticCheckpoints() throws {
        try execute("PRAGMA wal_autocheckpoint = 0")
    }

    /// Copies what it can of the WAL into the database without waiting for, or blocking,
    /// readers and writers (`PRAGMA wal_checkpoint(PASSIVE)`).
    public func checkpointPassively() throws {
        try checkOpen("PRAGMA wal_checkpoint(PASSIVE)")
        let code = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        // BUSY: another connection is checkpointing now, which is as good.
        guard code == SQLITE_OK || code == SQLITE_BUSY else {
            throw SQLiteError(handle: handle, code: code, sql: "PRAGMA wal_checkpoint(PASSIVE)")
        }
    }

    /// Runs every statement of a script, in order, without arguments or caching.
    ///
    /// A failure names the statement that failed, not the whole script.
    public func executeScript(_ script: String) throws {
        try checkOpen(nil)
        var utf8 = Array(script.utf8CString)
        try utf8.withUnsafeMutableBufferPointer { (buffer) throws in
            guard var cursor = buffer.baseAddress.map({ UnsafePointer($0) }) else { return }
            while cursor.pointee != 0 {
                var statement: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let code = sqlite3_prepare_v2(handle, cursor, -1, &statement, &tail)
                // The statement's text is only for an error: every command opens with a script
                // of pragmas, and trimming each statement's text was a sixth of a short command.
                let start = cursor
                guard code == SQLITE_OK else {
                    throw SQLiteError(handle: handle, code: code, sql: Self.text(from: start, to: tail))
                }
                defer { sqlite3_finalize(statement) }
                if let statement {
                    var step = sqlite3_step(statement)
                    while step == SQLITE_ROW { step = sqlite3_step(statement) }
                    guard step == SQLITE_DONE else {
                        throw SQLiteError(handle: handle, code: step, sql: Self.text(from: start, to: tail))
                    }
                }
                guard let tail else { return }
                cursor = tail
            }
        }
    }

    /// The first row of a query, mapped, or nil when there is none.
    public func queryFirst<T>(
        _ sql: String, arguments: [any SQLBindable], map transform: (any SQLRow) throws -> T
    ) throws -> T? {
        let statement = try cachedStatement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        return try statement.first(transform)
    }

    /// Streams the rows of a query to `body`, one at a time, without collecting them.
    public func forEachRow(
        _ sql: String, arguments: [any SQLBindable], body: (any SQLRow) throws -> Void
    ) throws {
        let statement = try cachedStatement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        try statement.forEachRow(body)
    }

    /// The number of rows changed by the last INSERT, UPDATE or DELETE on this connection.
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// Whether the database file opened read-only (by configuration or by its permissions).
    public var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// Whether no transaction is open (SQLite's autocommit mode).
    public var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    /// The schema's change counter (`PRAGMA schema_version`): it moves whenever any
    /// connection changes the schema, so a kept connection can tell it is out of date.
    public func schemaVersion() throws -> Int64 {
        try queryFirst("PRAGMA schema_version") { $0.int64(at: 0) } ?? 0
    }

    // MARK: Helpers

    private func checkOpen(_ sql: String?) throws {
        if isClosed {
            throw SQLiteError(resultCode: .SQLITE_MISUSE, message: "the connection to \(path) is closed", sql: sql)
        }
    }

    func check(_ code: Int32, sql: String? = nil) throws {
        guard code == SQLITE_OK else { throw SQLiteError(handle: handle, code: code, sql: sql) }
    }

    private static func text(from start: UnsafePointer<CChar>, to end: UnsafePointer<CChar>?) -> String {
        let count = end.map { $0 - start } ?? strlen(start)
        let bytes = UnsafeRawBufferPointer(start: start, count: count)
        return String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
    }

    /// Creates the database file with restrictive permissions before SQLite opens it, because
    /// SQLite itself would create it with the process umask (usually world-readable).
    private static func createFileIfMissing(_ path: String, configuration: SQLiteConfiguration) throws {
        guard configuration.createIfMissing else {
            // SQLite is opened without SQLITE_OPEN_CREATE, so it reports a missing file itself.
            return
        }
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode_t(configuration.fileMode))
        if descriptor >= 0 {
            Glibc.close(descriptor)
            return
        }
        let failure = errno
        switch failure {
        case EEXIST:
            return
        case ENOENT:
            let folder = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
            throw SQLiteError(
                resultCode: .SQLITE_CANTOPEN,
                message: "cannot create \(path): the folder \(folder.isEmpty ? "." : folder) does not exist")
        default:
            throw SQLiteError(
                resultCode: failure == EACCES || failure == EROFS ? .SQLITE_READONLY : .SQLITE_CANTOPEN,
                message: "cannot create \(path): \(String(cString: strerror(failure)))")
        }
    }

    private static func explainOpenFailure(_ error: SQLiteError, path: String) -> SQLiteError {
        guard SQLiteResultCode.SQLITE_CANTOPEN ~= error.resultCode else { return error }
        if error.isOutOfDescriptors { return error }
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            return SQLiteError(resultCode: .SQLITE_CANTOPEN_ISDIR, message: "\(path) is a folder, not a database file")
        }
        if access(path, F_OK) != 0 {
            return SQLiteError(resultCode: error.resultCode, message: "no database file at \(path)")
        }
        return SQLiteError(resultCode: error.resultCode, message: "cannot open \(path): \(error.message)")
    }
}

extension String {
    /// The string without leading and trailing whitespace and newlines (SQL text, messages).
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
