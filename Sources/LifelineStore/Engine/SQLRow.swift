import FoundationEssentials

/// The current row of a query, on any engine.
///
/// On SQLite a row is a view valid until the statement steps again, which is what lets a query
/// stream any number of rows in constant memory; do not keep one past its closure.
public protocol SQLRow {
    /// The statement the row came from, for errors.
    var sql: String { get }
    /// The number of result columns.
    var columnCount: Int32 { get }
    /// The name of the 0-based column `index`.
    func columnName(at index: Int32) -> String
    /// `table.column` where the result column comes from a table and the engine says so, else
    /// the column's name: what an error about a stored value names.
    func columnOrigin(at index: Int32) -> String
    /// Whether the column holds NULL.
    func isNull(at index: Int32) -> Bool
    /// The column as a 64-bit integer (NULL reads as 0).
    func int64(at index: Int32) -> Int64
    /// The column as a double (NULL reads as 0).
    func double(at index: Int32) -> Double
    /// The column as text (NULL reads as the empty string).
    func string(at index: Int32) -> String
    /// The column as bytes (NULL and an empty value both read as empty data).
    func data(at index: Int32) -> Data
    /// The column as a value of its own storage class.
    func value(at index: Int32) -> SQLValue
}

extension SQLRow {
    /// The column decoded as `T`; throws on NULL unless `T` is optional.
    public subscript<T: SQLColumnDecodable>(_ index: Int32, as type: T.Type = T.self) -> T {
        get throws { try T(row: self, column: index) }
    }

    /// The column decoded as `T` (a typed read, with the type inferred from context).
    public func get<T: SQLColumnDecodable>(_ index: Int32, as type: T.Type = T.self) throws -> T {
        try T(row: self, column: index)
    }

    func requireNotNull(_ index: Int32, as typeName: String) throws {
        if isNull(at: index) {
            throw SQLValueError(
                message: "column \(index) (\(columnName(at: index))) is NULL and cannot be read as \(typeName)",
                sql: sql)
        }
    }
}

/// A stored value that cannot be read as the type asked for: NULL where none is allowed, or a
/// word no version of Lifeline wrote. The same on every engine.
public struct SQLValueError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let sql: String?

    public init(message: String, sql: String?) {
        self.message = message
        self.sql = sql
    }

    public var description: String {
        message + (sql.map { " — in statement: \($0)" } ?? "")
    }
}
