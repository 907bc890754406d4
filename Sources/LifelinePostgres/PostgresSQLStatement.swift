import FoundationEssentials
import LifelineStore
import NIOCore
import PostgresNIO

/// A statement the store runs many times with new bindings. PostgreSQL plans it again each
/// time (postgres-nio sends it unnamed), which costs a little per run against SQLite's
/// prepared statements; the bindings are kept by position until it runs.
final class PostgresSQLStatement: SQLStatement {
    /// Collects parameters by their 1-based position, in any order, as SQLite's statements take them.
    final class Binder: SQLBinder {
        private var slots: [SQLValue?] = []

        private func set(_ value: SQLValue, at index: Int32) {
            let position = Int(index) - 1
            if slots.count <= position { slots.append(contentsOf: repeatElement(nil, count: position - slots.count + 1)) }
            slots[position] = value
        }

        func bindNull(at index: Int32) throws { set(.null, at: index) }
        func bind(int64 value: Int64, at index: Int32) throws { set(.integer(value), at: index) }
        func bind(double value: Double, at index: Int32) throws { set(.real(value), at: index) }
        func bind(text value: String, at index: Int32) throws { set(.text(value), at: index) }
        func bind(blob value: Data, at index: Int32) throws { set(.blob(value), at: index) }

        func reset() { slots.removeAll(keepingCapacity: true) }

        /// The parameters in order, typed as the schema's columns are (BIGINT, DOUBLE
        /// PRECISION, TEXT, BYTEA); a NULL's type is left to the server to infer.
        func bindings(for sql: String) throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: slots.count)
            for (offset, slot) in slots.enumerated() {
                switch slot {
                case nil:
                    throw PostgresEngineError(sqlState: nil, message: "parameter \(offset + 1) was not bound", sql: sql)
                case .null?: bindings.appendNull()
                case .integer(let value)?: bindings.append(value)
                case .real(let value)?: bindings.append(value)
                case .text(let value)?: bindings.append(value)
                case .blob(let value)?: bindings.append(ByteBuffer(bytes: value))
                }
            }
            return bindings
        }
    }

    let sql: String
    private let connection: PostgresSQLConnection
    private let binder = Binder()

    init(sql: String, connection: PostgresSQLConnection) {
        self.sql = sql
        self.connection = connection
    }

    func bindNull(at index: Int32) throws { try binder.bindNull(at: index) }
    func bind(int64 value: Int64, at index: Int32) throws { try binder.bind(int64: value, at: index) }
    func bind(double value: Double, at index: Int32) throws { try binder.bind(double: value, at: index) }
    func bind(text value: String, at index: Int32) throws { try binder.bind(text: value, at: index) }
    func bind(blob value: Data, at index: Int32) throws { try binder.bind(blob: value, at: index) }

    private func rows() throws -> [PostgresRow] {
        defer { reset() }
        return try connection.run(sql, binds: binder.bindings(for: sql)).rows
    }

    func run() throws { _ = try rows() }

    func forEachRow(_ body: (any SQLRow) throws -> Void) throws {
        for row in try rows() { try body(PostgresSQLRow(row, sql: sql)) }
    }

    func map<T>(_ transform: (any SQLRow) throws -> T) throws -> [T] {
        try rows().map { try transform(PostgresSQLRow($0, sql: sql)) }
    }

    func first<T>(_ transform: (any SQLRow) throws -> T) throws -> T? {
        try rows().first.map { try transform(PostgresSQLRow($0, sql: sql)) }
    }

    func reset() { binder.reset() }
}
