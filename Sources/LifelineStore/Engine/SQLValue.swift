import FoundationEssentials

/// One value of any storage class, for generic code and tests; hot paths bind typed values.
///
/// The same five classes on every engine: SQLite's storage classes, and on PostgreSQL the
/// column types the schema uses for them (BIGINT, DOUBLE PRECISION, TEXT, BYTEA).
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

/// Where an engine takes a statement's parameters: SQLite binds them into its prepared
/// statement; PostgreSQL collects them for the extended query protocol.
public protocol SQLBinder {
    func bindNull(at index: Int32) throws
    func bind(int64 value: Int64, at index: Int32) throws
    func bind(double value: Double, at index: Int32) throws
    func bind(text value: String, at index: Int32) throws
    func bind(blob value: Data, at index: Int32) throws
}

/// A Swift value that can be bound to a statement parameter, on any engine.
public protocol SQLBindable {
    /// Binds the value to the 1-based parameter `index`.
    func bind(to binder: some SQLBinder, at index: Int32) throws
}

/// A Swift value that can be read from a result column, on any engine.
public protocol SQLColumnDecodable {
    /// Reads the value from the 0-based column `index` of the current row.
    ///
    /// Throws when the column is NULL and the type has no NULL (use an `Optional`).
    init(row: some SQLRow, column index: Int32) throws
}

extension SQLBinder {
    /// Binds `value` to the 1-based position `index`.
    public func bind(_ value: some SQLBindable, at index: Int32) throws {
        try value.bind(to: self, at: index)
    }

    /// Binds positional arguments, in order, starting at parameter 1.
    public func bind(all arguments: [any SQLBindable]) throws {
        for (offset, argument) in arguments.enumerated() {
            try argument.bind(to: self, at: Int32(offset + 1))
        }
    }
}

extension SQLValue: SQLBindable, SQLColumnDecodable {
    public func bind(to binder: some SQLBinder, at index: Int32) throws {
        switch self {
        case .null: try binder.bindNull(at: index)
        case .integer(let value): try binder.bind(int64: value, at: index)
        case .real(let value): try binder.bind(double: value, at: index)
        case .text(let value): try binder.bind(text: value, at: index)
        case .blob(let value): try binder.bind(blob: value, at: index)
        }
    }

    public init(row: some SQLRow, column index: Int32) throws {
        self = row.value(at: index)
    }
}

extension Int64: SQLBindable, SQLColumnDecodable {
    public func bind(to binder: some SQLBinder, at index: Int32) throws {
        try binder.bind(int64: self, at: index)
    }

    public init(row: some SQLRow, column index: Int32) throws {
        try row.requireNotNull(index, as: "Int64")
        self = row.int64(at: index)
    }
}

extension Int: SQLBindable, SQLColumnDecodable {
    public func bind(to binder: some SQLBinder, at index: Int32) throws {
        try binder.bind(int64: Int64(self), at: index)
    }

    public init(row: some SQLRow, column index: Int32) throws {
        try row.requireNotNull(index, as: "Int")
        self = Int(row.int64(at: index))
    }
}

extension Double: SQLBindable, SQLColumnDecodable {
    public func bind(to binder: some SQLBinder, at index: Int32) throws {
        try binder.bind(double: self, at: index)
    }

    public init(row: some SQLRow, column index: Int32) throws {
        try row.requireNotNull(index, as: "Double")
        self = row.double(at: index)
    }
}

extension String: SQLBindable, SQLColumnDecodable {
    public func bind(to binder: some SQLBinder, at index: Int32) throws {
        try binder.bind(text: self, at: index)
    }

    public init(row: some SQLRow, column index: Int32) throws {
        try row.requireNotNull(index, as: "String")
        self = row.string(at: index)
    }
}

extension Data: SQLBindable, SQLColumnDecodable {
    public func bind(to binder: some SQLBinder, at index: Int32) throws {
        try binder.bind(blob: self, at: index)
    }

    public init(row: some SQLRow, column index: Int32) throws {
        try row.requireNotNull(index, as: "Data")
        self = row.data(at: index)
    }
}

/// Booleans are stored as the integers 0 and 1 on both engines, so one SQL text (`= 1`,
/// `SUM(flag)`) reads them alike.
extension Bool: SQLBindable, SQLColumnDecodable {
    public func bind(to binder: some SQLBinder, at index: Int32) throws {
        try binder.bind(int64: self ? 1 : 0, at: index)
    }

    public init(row: some SQLRow, column index: Int32) throws {
        try row.requireNotNull(index, as: "Bool")
        self = row.int64(at: index) != 0
    }
}

/// Dates are stored as integer Unix epoch milliseconds, UTC, on both engines (the storage
/// convention): comparisons and arithmetic in SQL read the same everywhere.
extension Date: SQLBindable, SQLColumnDecodable {
    /// The date as whole Unix epoch milliseconds, rounded down.
    public var epochMilliseconds: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// The date at `epochMilliseconds` Unix epoch milliseconds.
    public init(epochMilliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(epochMilliseconds) / 1000)
    }

    public func bind(to binder: some SQLBinder, at index: Int32) throws {
        try binder.bind(int64: epochMilliseconds, at: index)
    }

    public init(row: some SQLRow, column index: Int32) throws {
        try row.requireNotNull(index, as: "Date")
        self.init(epochMilliseconds: row.int64(at: index))
    }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    public func bind(to binder: some SQLBinder, at index: Int32) throws {
        switch self {
        case .none: try binder.bindNull(at: index)
        case .some(let value): try value.bind(to: binder, at: index)
        }
    }
}

extension Optional: SQLColumnDecodable where Wrapped: SQLColumnDecodable {
    public init(row: some SQLRow, column index: Int32) throws {
        self = row.isNull(at: index) ? .none : try Wrapped(row: row, column: index)
    }
}
