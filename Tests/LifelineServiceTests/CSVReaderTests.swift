import Foundation
import LifelineTestSupport
import Testing

@testable import LifelineService

struct CSVReaderTests {
    struct Row: Equatable, CustomStringConvertible {
        let line: Int
        let fields: [String]
        var problem: CSVRecordProblem? = nil
        var description: String { "\(line): \(fields) \(problem.map { "\($0)" } ?? "")" }
    }

    private func read(_ bytes: [UInt8], bufferSize: Int = 1 << 16, maximumFieldBytes: Int = 4096) throws -> [Row] {
        try withTemporaryDirectory { folder in
            let path = folder + "/input.csv"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let reader = try CSVReader(source: .file(path: path), maximumFieldBytes: maximumFieldBytes, bufferSize: bufferSize)
            var rows: [Row] = []
            while let record = try reader.next() {
                rows.append(
                    Row(line: record.line, fields: record.fields.indices.map { record.text(at: $0) ?? "<invalid>" },
                        problem: record.problem))
            }
            #expect(reader.bytesRead == Int64(bytes.count))
            return rows
        }
    }

    private func read(_ text: String, bufferSize: Int = 1 << 16) throws -> [Row] {
        try read(Array(text.utf8), bufferSize: bufferSize)
    }

    @Test(arguments: [
        ("a,b\n1,2\n", [Row(line: 1, fields: ["a", "b"]), Row(line: 2, fields: ["1", "2"])]),
        ("a,b\r\n1,2\r\n", [Row(line: 1, fields: ["a", "b"]), Row(line: 2, fields: ["1", "2"])]),
        ("a,b\r1,2\r", [Row(line: 1, fields: ["a", "b"]), Row(line: 2, fields: ["1", "2"])]),
        ("a,b\n1,2", [Row(line: 1, fields: ["a", "b"]), Row(line: 2, fields: ["1", "2"])]),
        ("\u{FEFF}email\nann@example.com\n", [Row(line: 1, fields: ["email"]), Row(line: 2, fields: ["ann@example.com"])]),
        ("a\n\n\r\n\rb\n", [Row(line: 1, fields: ["a"]), Row(line: 5, fields: ["b"])]),
        ("\"x, y\",z\n", [Row(line: 1, fields: ["x, y", "z"])]),
        ("\"say \"\"hi\"\"\",2\n", [Row(line: 1, fields: ["say \"hi\"", "2"])]),
        ("\"two\nlines\",x\nnext\n", [Row(line: 1, fields: ["two\nlines", "x"]), Row(line: 3, fields: ["next"])]),
        ("\"crlf\r\ninside\",x\r\nnext\r\n", [Row(line: 1, fields: ["crlf\r\ninside", "x"]), Row(line: 3, fields: ["next"])]),
        (",,\n", [Row(line: 1, fields: ["", "", ""])]),
        ("\"\",\"\"\n", [Row(line: 1, fields: ["", ""])]),
        ("a,\"\"\n", [Row(line: 1, fields: ["a", ""])]),
        ("Zoë,東京,😀\n", [Row(line: 1, fields: ["Zoë", "東京", "😀"])]),
        ("\"open,\nno close", [Row(line: 1, fields: ["open,\nno close"], problem: .unterminatedQuote(column: 1))]),
        ("\"ab\"c,d\nok\n", [Row(line: 1, fields: ["abc", "d"], problem: .textAfterClosingQuote(column: 1)), Row(line: 2, fields: ["ok"])]),
        ("a\"b,c\n", [Row(line: 1, fields: ["a\"b", "c"])]),
    ] as [(String, [Row])])
    func readsRecords(input: String, expected: [Row]) throws {
        #expect(try read(input) == expected)
    }

    @Test func everyBufferSizeGivesTheSameRecords() throws {
        let input = "\u{FEFF}email,name,notes\r\n\"a@x.org\",\"Zoë \"\"Z\"\" Ö\",\"line1\r\nline2\"\r\n\r\nb@x.org,B,\"x,y\"\rc@x.org,C,plain\n"
        let expected = try read(input)
        #expect(expected.count == 4)
        #expect(expected[2] == Row(line: 5, fields: ["b@x.org", "B", "x,y"]))
        for size in 1...40 {
            #expect(try read(input, bufferSize: size) == expected, "buffer size \(size)")
        }
    }

    @Test func oversizedFieldIsCutAndFlaggedAndReadingGoesOn() throws {
        let huge = String(repeating: "x", count: 3 * 1024 * 1024)
        let rows = try read("email,notes\na@x.org,\(huge)\nb@x.org,fine\n")
        #expect(rows.count == 3)
        #expect(rows[1].problem == .fieldTooLong(column: 2, limit: 4096))
        #expect(rows[1].fields[1].utf8.count == 4096)
        #expect(rows[2] == Row(line: 3, fields: ["b@x.org", "fine"]))
        let quoted = try read("\"\(huge)\",y\nnext\n")
        #expect(quoted[0].problem == .fieldTooLong(column: 1, limit: 4096))
        #expect(quoted[1] == Row(line: 2, fields: ["next"]))
    }

    @Test func readsAHundredColumns() throws {
        let header = (1...100).map { "c\($0)" }.joined(separator: ",")
        let values = (1...100).map { "\"v\($0)\"" }.joined(separator: ",")
        let rows = try read(header + "\n" + values + "\n")
        #expect(rows.count == 2)
        #expect(rows[1].fields.count == 100)
        #expect(rows[1].fields[99] == "v100")
    }

    @Test func invalidUTF8FieldHasNoText() throws {
        let rows = try read(Array("a,".utf8) + [0xC3, 0x28] + Array("\n".utf8))
        #expect(rows[0].fields == ["a", "<invalid>"])
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: CSVReaderError.self) { _ = try CSVReader(source: .file(path: "/no/such/file.csv")) }
        #expect(throws: CSVReaderError.self) { _ = try CSVReader(source: .file(path: "/tmp")) }
    }
}
