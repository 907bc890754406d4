import CSQLite
import FoundationEssentials

/// The current row of a statement being stepped.
///
/// A row is a view, not a copy: it is valid only until the statement steps again or is reset,
/// which is what lets a query stream any number of rows in constant memory.
public struct SQLiteRow {
    let handle: OpaquePointer
    let sql: String

    /// The number of result columns.
    public var columnCount: Int32 { sqlite3_column_count(handle) }

    /// The name of the 0-based column `index`.
    public func columnName(at index: Int32) -> String {
        String(cString: sqlite3_column_name(handle, index))
    }

    /// Whether the column holds NULL.
    public func isNull(at index: Int32) -> Bool {
        sqlite3_column_type(handle, index) == SQLITE_NULL
    }

    /// The column as a 64-bit integer (SQLite's conversion rules apply; NULL reads as 0).
    public func int64(at index: Int32) -> Int64 {
        sqlite3_column_int64(handle, index)
    }

    /// The column as a double (NULL reads as 0).
    public func double(at index: Int32) -> Double {
        sqlite3_column_double(handle, index)
    }

    /// The column as text (NULL reads as the empty string).
    public func string(at index: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, index) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// The column as bytes (NULL and an empty blob both read as empty data).
    public func data(at index: Int32) -> Data {
        guard let bytes = sqlite3_column_blob(handle, index) else { return Data() }
        return Data(bytes: bytes, count: Int(sqlite3_column_bytes(handle, index)))
    }

    /// The column as a value of its own storage class.
    public func value(at index: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: .integer(int64(at: index))
        case SQLITE_FLOAT: .real(double(at: index))
        case SQLITE_TEXT: .text(string(at: index))
        case SQLITE_BLOB: .blob(data(at: index))
        default: .null
        }
    }

    /// The column decoded as `T`; throws on NULL unless `T` is optional.
    public subscript<T: SQLiteColumnDecodable>(_ index: Int32, as type: T.Type = T.self) -> T {
        get throws { try T(row: self, column: index) }
    }

    /// The column decoded as `T` (a typed read, with the type inferred from context).
    public func get<T: SQLiteColumnDecodable>(_ index: Int32, as type: T.Type = T.self) throws -> T {
        try T(row: self, column: index)
    }

    func requireNotNull(_ index: Int32, as typeName: String) throws {
        if isNull(at: index) {
            throw SQLiteError(
                resultCode: .SQLITE_MISMATCH,
                message: "column \(index) (\(columnName(at: index))) is NULL and cannot be read as \(typeName)",
                sql: sql
            )
        }
    }
}
