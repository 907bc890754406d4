import CSQLite
import FoundationEssentials

/// A prepared statement: prepared in `init`, finalized in `deinit`.
///
/// Not `Sendable`: like its connection, it belongs to one task at a time.
public final class SQLiteStatement: SQLStatement {
    /// The statement's SQL text, as given (bound values are never part of it).
    public let sql: String
    let handle: OpaquePointer
    private let connection: OpaquePointer

    init(connection: OpaquePointer, sql: String) throws {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw SQLiteError(handle: connection, code: code, sql: sql)
        }
        self.connection = connection
        self.sql = sql
        self.handle = statement
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// The number of parameters (`?`, `?NNN`, `:name`, `@name`, `$name`) in the statement.
    public var parameterCount: Int32 { sqlite3_bind_parameter_count(handle) }

    /// Whether the statement only reads (it may then run on a read-only connection).
    public var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }

    // MARK: Binding

    public func bindNull(at index: Int32) throws {
        try check(sqlite3_bind_null(handle, index))
    }

    public func bind(int64 value: Int64, at index: Int32) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    public func bind(double value: Double, at index: Int32) throws {
        try check(sqlite3_bind_double(handle, index, value))
    }

    public func bind(text value: String, at index: Int32) throws {
        var value = value
        // withUTF8 hands SQLite the string's own bytes when they are contiguous; TRANSIENT
        // makes SQLite copy them before the buffer goes away.
        let code = value.withUTF8 { bytes -> Int32 in
            guard let base = bytes.baseAddress else {
                return sqlite3_bind_text(handle, index, "", 0, lifeline_sqlite3_transient())
            }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(handle, index, $0, Int32(bytes.count), lifeline_sqlite3_transient())
            }
        }
        try check(code)
    }

    public func bind(blob value: Data, at index: Int32) throws {
        // An empty Data may have no base address; bind a zero-length blob, not NULL.
        let code =
            value.isEmpty
            ? sqlite3_bind_zeroblob(handle, index, 0)
            : value.withUnsafeBytes { bytes in
                sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), lifeline_sqlite3_transient())
            }
        try check(code)
    }

    /// Binds `value` to the named parameter, written with its prefix (`:email`, `@email`, `$email`).
    public func bind(_ value: some SQLBindable, named name: String) throws {
        let index = sqlite3_bind_parameter_index(handle, name)
        guard index > 0 else {
            throw SQLiteError(resultCode: .SQLITE_RANGE, message: "no parameter named \(name)", sql: sql)
        }
        try value.bind(to: self, at: index)
    }

    /// Binds positional arguments, in order, starting at parameter 1.
    public func bind(_ arguments: [any SQLBindable]) throws {
        guard arguments.count == Int(parameterCount) else {
            throw SQLiteError(
                resultCode: .SQLITE_RANGE,
                message: "statement has \(parameterCount) parameters but \(arguments.count) arguments were given",
                sql: sql)
        }
        for (offset, argument) in arguments.enumerated() {
            try argument.bind(to: self, at: Int32(offset + 1))
        }
    }

    /// Binds named arguments; every parameter of the statement must be given.
    public func bind(named arguments: [String: any SQLBindable]) throws {
        guard arguments.count == Int(parameterCount) else {
            throw SQLiteError(
                resultCode: .SQLITE_RANGE,
                message: "statement has \(parameterCount) parameters but \(arguments.count) arguments were given",
                sql: sql)
        }
        for (name, argument) in arguments {
            try bind(argument, named: name)
        }
    }

    /// Resets the statement and clears its bindings, ready for the next use.
    public func reset() {
        // sqlite3_reset returns the last step's error again; it was already thrown there.
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Stepping

    /// Steps once: the row when there is one, nil when the statement is done.
    public func step() throws -> SQLiteRow? {
        switch sqlite3_step(handle) {
        case SQLITE_ROW:
            return SQLiteRow(handle: handle, sql: sql)
        case SQLITE_DONE:
            return nil
        case let code:
            let error = SQLiteError(handle: connection, code: code, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Runs the statement to completion, ignoring rows, then resets it.
    public func run() throws {
        defer { reset() }
        while try step() != nil {}
    }

    /// Runs `body` on each row as it is stepped (nothing is collected), then resets the statement.
    public func forEachRow(_ body: (any SQLRow) throws -> Void) throws {
        defer { reset() }
        while let row = try step() {
            try body(row)
        }
    }

    /// Maps every row and collects the results; for small results (use `forEachRow` to stream).
    public func map<T>(_ transform: (any SQLRow) throws -> T) throws -> [T] {
        var results: [T] = []
        try forEachRow { results.append(try transform($0)) }
        return results
    }

    /// The first row mapped, or nil when there is none.
    public func first<T>(_ transform: (any SQLRow) throws -> T) throws -> T? {
        defer { reset() }
        guard let row = try step() else { return nil }
        return try transform(row)
    }

    private func check(_ code: Int32) throws {
        guard code == SQLITE_OK else {
            throw SQLiteError(handle: connection, code: code, sql: sql)
        }
    }
}
