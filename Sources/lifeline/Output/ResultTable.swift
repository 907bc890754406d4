import FoundationEssentials
import LifelineService

/// One value in command output, typed so JSON keeps numbers as numbers.
enum Cell: Equatable {
    case text(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case null

    /// The value as table and CSV text.
    var text: String {
        switch self {
        case .text(let value): value
        case .integer(let value): String(value)
        case .number(let value): String(value)
        case .bool(let value): value ? "yes" : "no"
        case .null: ""
        }
    }

    var isNumeric: Bool {
        switch self {
        case .integer, .number: true
        default: false
        }
    }
}

extension Cell: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    init(stringLiteral value: String) { self = .text(value) }
    init(integerLiteral value: Int64) { self = .integer(value) }
    init(_ value: Int) { self = .integer(Int64(value)) }
    init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
    init(_ value: String?) { self = value.map(Cell.text) ?? .null }
}

/// What a command prints: a list of rows with named columns, or one record of named fields.
enum ResultTable {
    /// Rows under column headers (JSON: an array of objects).
    case list(columns: [String], rows: [[Cell]])
    /// One record, printed as `field  value` lines (JSON: one object).
    case record([(field: String, value: Cell)])
}

extension Cell {
    /// A time as ISO-8601 UTC (the CLI's convention for stored epoch milliseconds).
    static func date(_ date: Date) -> Cell {
        .text(UTCTimestamp.string(from: date))
    }
}

