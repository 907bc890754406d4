import FoundationEssentials
import LifelineStore
import NIOCore
import PostgresNIO

/// One row of a PostgreSQL result, read into the store's five storage classes, so a store's
/// reads (`int64(at:)`, `get(_:)`) are the same on both engines.
struct PostgresSQLRow: SQLRow {
    let sql: String
    let names: [String]
    let values: [SQLValue]

    init(_ row: PostgresRow, sql: String) {
        self.sql = sql
        var names: [String] = []
        var values: [SQLValue] = []
        for cell in row {
            names.append(cell.columnName)
            values.append(Self.value(of: cell))
        }
        self.names = names
        self.values = values
    }

    private static func value(of cell: PostgresCell) -> SQLValue {
        guard var bytes = cell.bytes else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8, .oid:
            return (try? cell.decode(Int64.self)).map(SQLValue.integer) ?? .null
        case .bool:
            return (try? cell.decode(Bool.self)).map { .integer($0 ? 1 : 0) } ?? .null
        case .float4, .float8:
            return (try? cell.decode(Double.self)).map(SQLValue.real) ?? .null
        case .numeric:
            // sum() and avg() of integers are numeric on PostgreSQL, integers on SQLite.
            guard let text = PostgresData(type: .numeric, value: bytes).numeric?.string else { return .null }
            if let integer = Int64(text) { return .integer(integer) }
            return Double(text).map(SQLValue.real) ?? .text(text)
        case .bytea:
            return .blob(Data(bytes.readBytes(length: bytes.readableBytes) ?? []))
        default:
            if let text = try? cell.decode(String.self) { return .text(text) }
            return .text(bytes.readString(length: bytes.readableBytes) ?? "")
        }
    }

    var columnCount: Int32 { Int32(values.count) }
    func columnName(at index: Int32) -> String { names[Int(index)] }
    // The wire protocol names a column's table by oid only; the column's name says enough.
    func columnOrigin(at index: Int32) -> String { "column \(names[Int(index)])" }
    func isNull(at index: Int32) -> Bool { values[Int(index)] == .null }
    func value(at index: Int32) -> SQLValue { values[Int(index)] }

    func int64(at index: Int32) -> Int64 {
        switch values[Int(index)] {
        case .integer(let value): value
        case .real(let value): Int64(exactly: value.rounded(.towardZero)) ?? 0
        case .text(let value): Int64(value) ?? 0
        case .null, .blob: 0
        }
    }

    func double(at index: Int32) -> Double {
        switch values[Int(index)] {
        case .integer(let value): Double(value)
        case .real(let value): value
        case .text(let value): Double(value) ?? 0
        case .null, .blob: 0
        }
    }

    func string(at index: Int32) -> String {
        switch values[Int(index)] {
        case .integer(let value): String(value)
        case .real(let value): String(value)
        case .text(let value): value
        case .blob(let value): String(decoding: value, as: UTF8.self)
        case .null: ""
        }
    }

    func data(at index: Int32) -> Data {
        switch values[Int(index)] {
        case .blob(let value): value
        case .text(let value): Data(value.utf8)
        default: Data()
        }
    }
}
