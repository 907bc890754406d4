import CSQLite

/// A closed set of values stored as their raw values, as GRDB's `DatabaseValueConvertible` does
/// for `RawRepresentable`: bound as the raw value, read back with `init?(rawValue:)`.
///
/// An unknown stored value is an error naming the table, the column and the value, never a
/// silent default: a row no version of the code wrote means something is wrong with the file.
public protocol SQLiteRawValue: RawRepresentable, SQLiteBindable, SQLiteColumnDecodable
where RawValue: SQLiteBindable & SQLiteColumnDecodable & CustomStringConvertible {}

extension SQLiteRawValue {
    public func bind(to statement: SQLiteStatement, at index: Int32) throws {
        try rawValue.bind(to: statement, at: index)
    }

    public init(row: SQLiteRow, column index: Int32) throws {
        let raw = try RawValue(row: row, column: index)
        guard let value = Self(rawValue: raw) else {
            throw SQLiteError(
                resultCode: .SQLITE_MISMATCH,
                message: "\(row.columnOrigin(at: index)) holds '\(raw)', which is not a known \(Self.self) value",
                sql: row.sql)
        }
        self = value
    }
}

extension SQLiteRow {
    /// `table.column` where the result column comes from a table, else the column's name.
    ///
    /// sqlite3_column_table_name needs SQLITE_ENABLE_COLUMN_METADATA, which Debian's and other
    /// distributions' libsqlite3 are built with.
    func columnOrigin(at index: Int32) -> String {
        guard let table = sqlite3_column_table_name(handle, index), let column = sqlite3_column_origin_name(handle, index)
        else { return "column \(columnName(at: index))" }
        return "\(String(cString: table)).\(String(cString: column))"
    }
}
