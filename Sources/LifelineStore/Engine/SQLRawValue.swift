/// A closed set of values stored as their raw values, as GRDB's `DatabaseValueConvertible` does
/// for `RawRepresentable`: bound as the raw value, read back with `init?(rawValue:)`.
///
/// An unknown stored value is an error naming the table, the column and the value, never a
/// silent default: a row no version of the code wrote means something is wrong with the data.
public protocol SQLRawValue: RawRepresentable, SQLBindable, SQLColumnDecodable
where RawValue: SQLBindable & SQLColumnDecodable & CustomStringConvertible {}

extension SQLRawValue {
    public func bind(to binder: some SQLBinder, at index: Int32) throws {
        try rawValue.bind(to: binder, at: index)
    }

    public init(row: some SQLRow, column index: Int32) throws {
        let raw = try RawValue(row: row, column: index)
        guard let value = Self(rawValue: raw) else {
            throw SQLValueError(
                message: "\(row.columnOrigin(at: index)) holds '\(raw)', which is not a known \(Self.self) value",
                sql: row.sql)
        }
        self = value
    }
}
