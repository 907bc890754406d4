import Testing

@testable import lifeline

struct ResultWriterTests {
    @Test(arguments: [
        ("Ann", 3), ("Zoë", 3), ("Zoe\u{308}", 3), ("東京", 4), ("김민준", 6), ("😀", 2), ("👍🏽", 2),
        ("❤️", 2), ("ｆｕｌｌ", 8), ("", 0), ("a\u{200B}b", 2),
    ])
    func measuresDisplayWidth(text: String, width: Int) {
        #expect(DisplayWidth.of(text) == width)
    }

    @Test func alignsColumnsByDisplayWidthNotCharacterCount() {
        let output = ResultWriter(format: .table).render(
            .list(
                columns: ["name", "count"],
                rows: [["Zoe\u{308}", 1], ["東京 Office", 22], ["😀 team", 333]]))
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        // Every line ends at the same terminal column: the right-aligned count column lines up.
        let widths = Set(lines.map { DisplayWidth.of($0) })
        #expect(widths.count == 1, "\(lines)")
        #expect(lines[0].hasPrefix("NAME"))
        #expect(lines[2].hasSuffix("  1"))
    }

    @Test func tableCellsStayOnOneLine() {
        let output = ResultWriter(format: .table).render(.list(columns: ["note"], rows: [["two\nlines"]]))
        #expect(output == "NOTE\n----------\ntwo\\nlines\n")
    }

    @Test func controlCharactersFromOutsideAreShownEscapedInTablesAndKeptExactInJSONAndCSV() {
        let hostile = "Ann\u{1B}[2J\u{07}\r\u{0}\u{9B}\u{202E}evil"
        let table = ResultWriter(format: .table).render(.record([("name", .text(hostile))]))
        #expect(table == "name  Ann\\u{1B}[2J\\u{7}\\r\\u{0}\\u{9B}\\u{202E}evil\n")
        #expect(!table.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        let json = ResultWriter(format: .json).render(.record([("name", .text(hostile))]))
        #expect(json.contains("\\u001b[2J\\u0007\\r\\u0000"))
        let csv = ResultWriter(format: .csv).render(.record([("name", .text(hostile))]))
        #expect(csv.contains(hostile))
    }

    @Test func csvQuotesWhatNeedsQuoting() {
        let output = ResultWriter(format: .csv).render(
            .list(columns: ["a", "b"], rows: [["plain", "with, comma"], ["say \"hi\"", "line\nbreak"], [.null, 5]]))
        #expect(output == "a,b\r\nplain,\"with, comma\"\r\n\"say \"\"hi\"\"\",\"line\nbreak\"\r\n,5\r\n")
    }

    /// A quote that shares a grapheme cluster with a combining mark is still a quote to a CSV
    /// reader: it is doubled, and the JSON and table escapes see it too.
    @Test func quotesGluedToCombiningMarksAreEscapedInEveryFormat() {
        let glued = "x\"\u{301}, y"
        let csv = ResultWriter(format: .csv).render(.record([("name", .text(glued))]))
        #expect(Array(csv.utf8).split(separator: 0x0A).last.map { Array($0) } == Array("\"x\"\"\u{301}, y\"\r".utf8))
        let json = ResultWriter(format: .json).render(.record([("name", .text(glued))]))
        #expect(json.utf8.elementsEqual("{\"name\": \"x\\\"\u{301}, y\"}\n".utf8))
        let table = ResultWriter(format: .table).render(.record([("name", .text("a\u{1B}\u{301}b"))]))
        #expect(table.utf8.elementsEqual("name  a\\u{1B}\u{301}b\n".utf8))
    }

    @Test func jsonKeepsColumnOrderTypesAndEscapes() {
        let list = ResultWriter(format: .json).render(
            .list(columns: ["z", "a", "n", "ok"], rows: [["q\"\\\u{1}", 3, .null, .bool(true)]]))
        #expect(list == "[\n  {\"z\": \"q\\\"\\\\\\u0001\", \"a\": 3, \"n\": null, \"ok\": true}\n]\n")
        #expect(ResultWriter(format: .json).render(.list(columns: ["a"], rows: [])) == "[]\n")
        let record = ResultWriter(format: .json).render(.record([("name", "Zoë"), ("count", 2)]))
        #expect(record == "{\"name\": \"Zoë\", \"count\": 2}\n")
    }
}
