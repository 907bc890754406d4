import CSQLite

/// How a transaction takes its locks.
public enum SQLiteTransactionKind: String, Sendable {
    /// Takes a read lock at the first read and a write lock at the first write; for reads only
    /// (a deferred transaction that later writes can fail with SQLITE_BUSY_SNAPSHOT).
    case deferred = "DEFERRED"
    /// Takes the write lock at once, waiting up to the busy timeout: the kind every write uses.
    case immediate = "IMMEDIATE"
}

extension SQLiteConnection {
    /// Whether a transaction is open on this connection.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    ///
    /// Kinds stay apart, as in GRDB. A read inside an open transaction runs in it (its snapshot
    /// is already consistent); a write inside one is an error (`SQLITE_MISUSE`), not a silent
    /// savepoint whose commit the caller would wrongly believe in: nest with ``savepoint(_:)``.
    public func transaction<T>(_ kind: SQLiteTransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        if isInTransaction {
            guard kind == .deferred else { throw SQLiteError.nestedTransaction(kind) }
            return try body()
        }
        try execute("BEGIN \(kind.rawValue)")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            // Some errors (SQLITE_FULL, SQLITE_IOERR, ...) have already rolled SQLite back.
            if isInTransaction {
                try? execute("ROLLBACK")
            }
            throw error
        }
    }

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE`), the only way writes should start.
    public func write<T>(_ body: () throws -> T) throws -> T {
        try transaction(.immediate, body)
    }

    /// Runs `body` in a read transaction: one consistent snapshot for all of its queries.
    public func read<T>(_ body: () throws -> T) throws -> T {
        try transaction(.deferred, body)
    }

    /// Runs `body` in a savepoint: released when it returns, rolled back to when it throws.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        savepointDepth += 1
        let name = "lifeline_savepoint_\(savepointDepth)"
        defer { savepointDepth -= 1 }
        try execute("SAVEPOINT \(name)")
        do {
            let result = try body()
            try execute("RELEASE \(name)")
            return result
        } catch {
            if isInTransaction {
                try? execute("ROLLBACK TO \(name)")
                try? execute("RELEASE \(name)")
            }
            throw error
        }
    }
}

extension SQLiteConnection {
    /// Runs a write transaction whose commit is synced to disk (`synchronous = FULL`) whatever
    /// the connection's level, so what it records survives a power loss; then restores the level.
    ///
    /// Inside another transaction it is an error: the outer commit would decide durability.
    public func durableWrite<T>(_ body: () throws -> T) throws -> T {
        guard !isInTransaction else { throw SQLiteError.nestedTransaction(.immediate, durable: true) }
        let level = configuration.synchronous
        guard level != .full && level != .extra else { return try write(body) }
        try execute("PRAGMA synchronous = FULL")
        defer { try? execute("PRAGMA synchronous = \(level.rawValue)") }
        return try write(body)
    }
}

extension SQLiteError {
    /// A write transaction asked for while another is open on the connection.
    static func nestedTransaction(_ kind: SQLiteTransactionKind, durable: Bool = false) -> SQLiteError {
        SQLiteError(
            resultCode: .SQLITE_MISUSE,
            message: "a \(durable ? "durable " : "")\(kind == .immediate ? "write" : "read") transaction was started inside "
                + "an open transaction, whose commit would decide for it; use a savepoint to nest")
    }
}
