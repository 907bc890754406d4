import CSQLite
import FoundationEssentials

/// The current row of a statement being stepped.
///
/// A row is a view, not a copy: it is valid only until the statement steps again or is reset,
/// which is what lets a query stream any number of rows in constant memory.
public struct SQLiteRow: SQLRow {
    let handle: OpaquePointer
    public let sql: String

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
    public func value(at index: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: .integer(int64(at: index))
        case SQLITE_FLOAT: .real(double(at: index))
        case SQLITE_TEXT: .text(string(at: index))
        case SQLITE_BLOB: .blob(data(at: index))
        default: .null
        }
    }

    /// `table.column` where the result column comes from a table, else the column's name.
    ///
    /// sqlite3_column_table_name needs SQLITE_ENABLE_COLUMN_METADATA, which Debian's and other
    /// distributions' libsqlite3 are built with.
    public func columnOrigin(at index: Int32) -> String {
        guard let table = sqlite3_column_table_name(handle, index), let column = sqlite3_column_origin_name(handle, index)
        else { return "column \(columnName(at: index))" }
        return "\(String(cString: table)).\(String(cString: column))"
    }
}
