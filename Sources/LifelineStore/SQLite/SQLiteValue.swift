import FoundationEssentials

/// One SQLite value of any storage class, for generic code and tests; hot paths bind typed values.
public enum SQLiteValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

/// A Swift value that can be bound to a statement parameter.
public protocol SQLiteBindable {
    /// Binds the value to the 1-based parameter `index` of `statement`.
    func bind(to statement: SQLiteStatement, at index: Int32) throws
}

/// A Swift value that can be read from a result column.
public protocol SQLiteColumnDecodable {
    /// Reads the value from the 0-based column `index` of the current row.
    ///
    /// Throws when the column is NULL and the type has no NULL (use an `Optional`).
    init(row: SQLiteRow, column index: Int32) throws
}

extension SQLiteValue: SQLiteBindable, SQLiteColumnDecodable {
    public func bind(to statement: SQLiteStatement, at index: Int32) throws {
        switch self {
        case .null: try statement.bindNull(at: index)
        case .integer(let value): try statement.bind(int64: value, at: index)
        case .real(let value): try statement.bind(double: value, at: index)
        case .text(let value): try statement.bind(text: value, at: index)
        case .blob(let value): try statement.bind(blob: value, at: index)
        }
    }

    public init(row: SQLiteRow, column index: Int32) throws {
        self = row.value(at: index)
    }
}

extension Int64: SQLiteBindable, SQLiteColumnDecodable {
    public func bind(to statement: SQLiteStatement, at index: Int32) throws {
        try statement.bind(int64: self, at: index)
    }

    public init(row: SQLiteRow, column index: Int32) throws {
        try row.requireNotNull(index, as: "Int64")
        self = row.int64(at: index)
    }
}

extension Int: SQLiteBindable, SQLiteColumnDecodable {
    public func bind(to statement: SQLiteStatement, at index: Int32) throws {
        try statement.bind(int64: Int64(self), at: index)
    }

    public init(row: SQLiteRow, column index: Int32) throws {
        try row.requireNotNull(index, as: "Int")
        self = Int(row.int64(at: index))
    }
}

extension Double: SQLiteBindable, SQLiteColumnDecodable {
    public func bind(to statement: SQLiteStatement, at index: Int32) throws {
        try statement.bind(double: self, at: index)
    }

    public init(row: SQLiteRow, column index: Int32) throws {
        try row.requireNotNull(index, as: "Double")
        self = row.double(at: index)
    }
}

extension String: SQLiteBindable, SQLiteColumnDecodable {
    public func bind(to statement: SQLiteStatement, at index: Int32) throws {
        try statement.bind(text: self, at: index)
    }

    public init(row: SQLiteRow, column index: Int32) throws {
        try row.requireNotNull(index, as: "String")
        self = row.string(at: index)
    }
}

extension Data: SQLiteBindable, SQLiteColumnDecodable {
    public func bind(to statement: SQLiteStatement, at index: Int32) throws {
        try statement.bind(blob: self, at: index)
    }

    public init(row: SQLiteRow, column index: Int32) throws {
        try row.requireNotNull(index, as: "Data")
        self = row.data(at: index)
    }
}

extension Bool: SQLiteBindable, SQLiteColumnDecodable {
    public func bind(to statement: SQLiteStatement, at index: Int32) throws {
        try statement.bind(int64: self ? 1 : 0, at: index)
    }

    public init(row: SQLiteRow, column index: Int32) throws {
        try row.requireNotNull(index, as: "Bool")
        self = row.int64(at: index) != 0
    }
}

/// Dates are stored as INTEGER Unix epoch milliseconds, UTC (the storage convention).
extension Date: SQLiteBindable, SQLiteColumnDecodable {
    /// The date as whole Unix epoch milliseconds, rounded down.
    public var epochMilliseconds: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// The date at `epochMilliseconds` Unix epoch milliseconds.
    public init(epochMilliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(epochMilliseconds) / 1000)
    }

    public func bind(to statement: SQLiteStatement, at index: Int32) throws {
        try statement.bind(int64: epochMilliseconds, at: index)
    }

    public init(row: SQLiteRow, column index: Int32) throws {
        try row.requireNotNull(index, as: "Date")
        self.init(epochMilliseconds: row.int64(at: index))
    }
}

extension Optional: SQLiteBindable where Wrapped: SQLiteBindable {
    public func bind(to statement: SQLiteStatement, at index: Int32) throws {
        switch self {
        case .none: try statement.bindNull(at: index)
        case .some(let value): try value.bind(to: statement, at: index)
        }
    }
}

extension Optional: SQLiteColumnDecodable where Wrapped: SQLiteColumnDecodable {
    public init(row: SQLiteRow, column index: Int32) throws {
        self = row.isNull(at: index) ? .none : try Wrapped(row: row, column: index)
    }
}
