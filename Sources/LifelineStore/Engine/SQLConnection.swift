/// Which SQL an engine speaks. Only the store reads it, to pick the text of the few statements
/// that differ (upserts that SQLite spells one way, bulk loading, maintenance); nothing above
/// the store may branch on it.
public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres

    /// What a queue's claiming subquery ends with so that concurrent claimers pass over the
    /// rows another holds (inside ``SQLConnection/queueWrite(_:)``): nothing on SQLite, whose
    /// one writer never meets another.
    public var skipLocked: String {
        switch self {
        case .sqlite: ""
        case .postgres: "FOR UPDATE SKIP LOCKED"
        }
    }

    /// `expression` as emails and names compare and sort "ignoring case": A-Z folded to a-z and
    /// nothing else (NameKey's rule). SQLite's columns do it themselves (`COLLATE NOCASE`), so
    /// there it is the expression unchanged; PostgreSQL's compare exactly, and their unique
    /// indexes are on this same expression (Migrations/postgres/0002).
    public func caseless(_ expression: String) -> String {
        switch self {
        case .sqlite: expression
        case .postgres: foldedCase(expression)
        }
    }

    /// `left = right` compared as ``caseless(_:)`` says (`right` a placeholder by default).
    public func caselessEquals(_ left: String, _ right: String = "?") -> String {
        caseless(left) + " = " + caseless(right)
    }

    /// `expression` with A-Z folded to a-z and nothing else, for a column that compares exactly
    /// on both engines: SQLite's `lower` folds only those; PostgreSQL's does under "C".
    public func foldedCase(_ expression: String) -> String {
        switch self {
        case .sqlite: "lower(\(expression))"
        case .postgres: "lower((\(expression)) COLLATE \"C\")"
        }
    }
}

/// One connection to Lifeline's database, on any engine: what the store's types are written
/// against. SQLite's connection is one; PostgreSQL's is another.
///
/// Statements are written with `?` placeholders, numbered in order; an engine that numbers its
/// own (`$1`) rewrites them. A connection is used by one thread at a time.
public protocol SQLConnection: AnyObject {
    /// The engine's dialect, for the store's engine-specific statements.
    var dialect: SQLDialect { get }

    /// Runs one statement with positional arguments.
    func execute(_ sql: String, arguments: [any SQLBindable]) throws
    /// Runs several statements, without arguments.
    func executeScript(_ script: String) throws
    /// Streams the rows of a query to `body`, one at a time, without collecting them.
    func forEachRow(_ sql: String, arguments: [any SQLBindable], body: (any SQLRow) throws -> Void) throws
    /// The first row of a query, mapped, or nil when there is none.
    func queryFirst<T>(_ sql: String, arguments: [any SQLBindable], map transform: (any SQLRow) throws -> T) throws -> T?
    /// A statement prepared once for many runs (a bulk loop's).
    func prepare(_ sql: String) throws -> any SQLStatement

    /// The number of rows changed by the last INSERT, UPDATE or DELETE on this connection.
    var changes: Int { get }
    /// Whether no transaction is open.
    var isAutocommit: Bool { get }
    /// Whether the connection is gone for good (a server that hung up): a pool drops it.
    var isLost: Bool { get }
    /// How long a statement may go unanswered before the connection is given up as lost (a
    /// server's; nil waits as long as the statement takes). SQLite answers in-process: nil,
    /// and setting it changes nothing.
    var answerTimeout: Duration? { get set }
    /// Whether the database takes writes through this connection now: a server that is a
    /// standby, or read-only, does not. An SQLite file opened for writing does.
    func acceptsWrites() throws -> Bool

    /// `body` in a write transaction: committed when it returns, rolled back when it throws.
    /// It takes the write lock at once on SQLite (`BEGIN IMMEDIATE`).
    func write<T>(_ body: () throws -> T) throws -> T
    /// `body` in a write transaction that is on disk before it returns, for what must survive
    /// a power cut (consent changes).
    func durableWrite<T>(_ body: () throws -> T) throws -> T
    /// `body` in a read transaction: one consistent snapshot for all of its queries.
    func read<T>(_ body: () throws -> T) throws -> T
    /// `body` in a savepoint inside the open transaction: undone alone when it throws.
    func savepoint<T>(_ body: () throws -> T) throws -> T

    /// For a connection that runs many short write transactions (a purge, an import's merge):
    /// keeps the engine's log upkeep out of them, to be run between them with
    /// ``checkpointPassively()``. SQLite checkpoints its WAL inside a commit otherwise;
    /// PostgreSQL's checkpointer is a process of its own, so both are no-ops there.
    func disableAutomaticCheckpoints() throws
    /// Runs the log upkeep that ``disableAutomaticCheckpoints()`` kept out, blocking no one.
    func checkpointPassively() throws

    /// Closes the connection; later calls fail.
    func close()

    /// `body` in one write transaction for queue work, whose statements lock the rows they
    /// claim (`SQLDialect.skipLocked`) instead of relying on a serializable snapshot: two
    /// servers claiming from one queue then take different rows rather than failing each
    /// other's transactions. SQLite runs one writer at a time: there it is ``write(_:)``.
    func queueWrite<T>(_ body: () throws -> T) throws -> T

    /// Appends `rows` (each one value per column, in `columns`' order) to `table`, as one
    /// bulk load where the engine has one: PostgreSQL's `COPY … FROM STDIN`, one round trip
    /// for thousands of rows. Elsewhere, multi-row INSERTs.
    func bulkInsert(into table: String, columns: [String], rows: [[SQLValue]]) throws
}

extension SQLConnection {
    public var isLost: Bool { false }

    public var answerTimeout: Duration? {
        get { nil }
        set {}
    }

    public func acceptsWrites() throws -> Bool { true }

    public func queueWrite<T>(_ body: () throws -> T) throws -> T {
        try write(body)
    }

    public func bulkInsert(into table: String, columns: [String], rows: [[SQLValue]]) throws {
        guard !rows.isEmpty else { return }
        // As many rows a statement as keep its parameters inside SQLite's limit (32,766).
        let perStatement = max(1, min(500, 30_000 / max(1, columns.count)))
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        let list = columns.joined(separator: ", ")
        var start = rows.startIndex
        while start < rows.endIndex {
            let end = min(start + perStatement, rows.endIndex)
            let values = Array(repeating: row, count: end - start).joined(separator: ", ")
            try execute("INSERT INTO \(table) (\(list)) VALUES \(values)", arguments: rows[start..<end].flatMap { $0 })
            start = end
        }
    }

    /// Runs one statement with positional arguments.
    public func execute(_ sql: String, _ arguments: any SQLBindable...) throws {
        try execute(sql, arguments: arguments)
    }

    /// Collects every row of a query, mapped; for small results (use `forEachRow` to stream).
    public func query<T>(_ sql: String, _ arguments: any SQLBindable..., map transform: (any SQLRow) throws -> T) throws -> [T] {
        var results: [T] = []
        try forEachRow(sql, arguments: arguments) { results.append(try transform($0)) }
        return results
    }

    /// The first row of a query, mapped, or nil when there is none.
    public func queryFirst<T>(_ sql: String, _ arguments: any SQLBindable..., map transform: (any SQLRow) throws -> T) throws -> T? {
        try queryFirst(sql, arguments: arguments, map: transform)
    }

    /// Streams the rows of a query to `body`, one at a time, without collecting them.
    public func forEachRow(_ sql: String, _ arguments: any SQLBindable..., body: (any SQLRow) throws -> Void) throws {
        try forEachRow(sql, arguments: arguments, body: body)
    }

    /// Runs an INSERT of one row into a table whose key is `id`, and returns that id (through
    /// `RETURNING`, which both engines speak, not a connection's "last row id").
    public func insert(_ sql: String, _ arguments: any SQLBindable...) throws -> Int64 {
        guard let id = try queryFirst(sql + " RETURNING id", arguments: arguments, map: { $0.int64(at: 0) }) else {
            throw SQLValueError(message: "the INSERT returned no id", sql: sql)
        }
        return id
    }
}

/// A statement prepared on one connection, run many times with new bindings.
public protocol SQLStatement: AnyObject, SQLBinder {
    /// The statement's text.
    var sql: String { get }
    /// Runs it to completion, ignoring rows, then resets it.
    func run() throws
    /// Runs `body` on each row, then resets it.
    func forEachRow(_ body: (any SQLRow) throws -> Void) throws
    /// Maps every row and collects the results, then resets it.
    func map<T>(_ transform: (any SQLRow) throws -> T) throws -> [T]
    /// The first row mapped, or nil when there is none; then resets it.
    func first<T>(_ transform: (any SQLRow) throws -> T) throws -> T?
    /// Clears its bindings, ready for the next use.
    func reset()
}

/// An error from an engine, in the terms the service explains to a user: the service turns
/// each of these into a failure naming the database, without knowing the engine.
public protocol SQLEngineError: Error, CustomStringConvertible {
    /// The engine's message.
    var message: String { get }
    /// The statement that failed, when there was one.
    var sql: String? { get }
    /// A constraint (unique, foreign key, check, not null, trigger) was violated.
    var isConstraintViolation: Bool { get }
    /// Another connection held a lock for longer than the engine waits.
    var isBusy: Bool { get }
    /// The database cannot be written (a read-only file, a standby server).
    var isReadOnly: Bool { get }
    /// The transaction lost a conflict with a concurrent one and was rolled back whole: run
    /// again from the start, it may well succeed. Never on SQLite, whose one writer at a time
    /// cannot conflict (its busy error has already waited the busy timeout).
    var isSerializationConflict: Bool { get }
}

extension SQLEngineError {
    public var isSerializationConflict: Bool { false }
}

extension SQLValueError: SQLEngineError {
    public var isConstraintViolation: Bool { false }
    public var isBusy: Bool { false }
    public var isReadOnly: Bool { false }
}
