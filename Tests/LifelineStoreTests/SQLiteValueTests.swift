import Foundation
import LifelineVocabulary
import Testing

@testable import LifelineStore

struct SQLiteValueTests {
    private func roundTrip<T: SQLBindable & SQLColumnDecodable>(_ value: T) throws -> (T, String) {
        let connection = try SQLiteConnection(path: ":memory:")
        try connection.execute("CREATE TABLE t (v ANY) STRICT")
        try connection.execute("INSERT INTO t (v) VALUES (?)", value)
        let read = try #require(try connection.queryFirst("SELECT v, typeof(v) FROM t") { row in
            (try row.get(0, as: T.self), row.string(at: 1))
        })
        return read
    }

    @Test(arguments: ConsentState.allCases)
    func anEnumIsStoredAsItsRawValueAndReadBack(state: ConsentState) throws {
        let (read, type) = try roundTrip(state)
        #expect(read == state)
        #expect(type == "text")
    }

    @Test func anUnknownStoredValueIsAnErrorNamingTheTableColumnAndValue() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        try connection.execute("CREATE TABLE consent (state TEXT) STRICT")
        try connection.execute("INSERT INTO consent (state) VALUES ('maybe')")
        do {
            _ = try connection.queryFirst("SELECT state FROM consent") { try $0.get(0, as: ConsentState.self) }
            Issue.record("an unknown state was read as a value")
        } catch let error as SQLValueError {
            #expect(error.message == "consent.state holds 'maybe', which is not a known ConsentState value")
            #expect(error.sql == "SELECT state FROM consent")
        }
        // A computed column has no table: its name is given instead.
        #expect(throws: SQLValueError.self) {
            _ = try connection.queryFirst("SELECT 'x' AS label") { try $0.get(0, as: ConsentState.self) }
        }
    }

    @Test(arguments: [Int64.min, -1, 0, 1, Int64.max])
    func int64RoundTrips(value: Int64) throws {
        let (read, type) = try roundTrip(value)
        #expect(read == value)
        #expect(type == "integer")
    }

    @Test(arguments: [0.0, -1.5, 3.141592653589793, Double.greatestFiniteMagnitude, Double.leastNonzeroMagnitude])
    func doubleRoundTrips(value: Double) throws {
        let (read, type) = try roundTrip(value)
        #expect(read == value)
        #expect(type == "real")
    }

    @Test(arguments: ["", "plain", "Zoë", "東京", "4-byte: 😀 𝄞", "line\nbreak\0nul", "quote ' and \""])
    func stringRoundTrips(value: String) throws {
        let (read, type) = try roundTrip(value)
        #expect(read == value)
        #expect(type == "text", "an empty string must stay text, not become NULL")
    }

    @Test(arguments: [Data(), Data([0]), Data([0xFF, 0x00, 0x7F]), Data(repeating: 0xAB, count: 100_000)])
    func dataRoundTrips(value: Data) throws {
        let (read, type) = try roundTrip(value)
        #expect(read == value)
        #expect(type == "blob", "an empty blob must stay a blob, not become NULL")
    }

    @Test(arguments: [true, false])
    func boolRoundTrips(value: Bool) throws {
        let (read, type) = try roundTrip(value)
        #expect(read == value)
        #expect(type == "integer")
    }

    @Test func dateIsStoredAsEpochMilliseconds() throws {
        let date = Date(epochMilliseconds: 1_764_416_460_123)
        let (read, type) = try roundTrip(date)
        #expect(read == date)
        #expect(type == "integer")
        let connection = try SQLiteConnection(path: ":memory:")
        let stored = try connection.queryFirst("SELECT ?", date) { $0.int64(at: 0) }
        #expect(stored == 1_764_416_460_123)
    }

    @Test func nilBindsNullAndReadsBackAsNil() throws {
        let (read, type) = try roundTrip(String?.none)
        #expect(read == nil)
        #expect(type == "null")
        let (someRead, _) = try roundTrip(Int64?.some(7))
        #expect(someRead == 7)
    }

    @Test func readingNullAsNonOptionalThrowsMismatch() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        #expect(throws: SQLValueError.self) {
            _ = try connection.queryFirst("SELECT NULL") { try $0.get(0, as: String.self) }
        }
        do {
            _ = try connection.queryFirst("SELECT NULL AS missing") { try $0.get(0, as: Int64.self) }
        } catch let error as SQLValueError {
            #expect(error.message.contains("missing"))
        }
    }

    @Test func sqliteValueReadsEachStorageClass() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        let values = try #require(try connection.queryFirst("SELECT NULL, 1, 2.5, 'x', x'00'") { row in
            (0..<row.columnCount).map { row.value(at: $0) }
        })
        #expect(values == [.null, .integer(1), .real(2.5), .text("x"), .blob(Data([0]))])
    }

    @Test func bindsByName() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        let statement = try connection.cachedStatement("SELECT :email || ' ' || @count || ' ' || $flag")
        try statement.bind("ann@example.com", named: ":email")
        try statement.bind(Int64(3), named: "@count")
        try statement.bind(true, named: "$flag")
        #expect(try statement.first { $0.string(at: 0) } == "ann@example.com 3 1")
        try connection.execute("CREATE TABLE t (a TEXT, b INTEGER)")
        try connection.execute("INSERT INTO t VALUES (:a, :b)", named: [":a": "x", ":b": Int64(2)])
        #expect(try connection.queryFirst("SELECT a, b FROM t") { "\($0.string(at: 0))\($0.int64(at: 1))" } == "x2")
    }

    @Test func unknownParameterNameAndWrongArgumentCountAreErrors() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        let statement = try connection.prepareStatement("SELECT :a")
        #expect(throws: SQLiteError.self) { try statement.bind("x", named: ":b") }
        #expect(throws: SQLiteError.self) { try connection.execute("SELECT ?, ?", "only one") }
    }
}
