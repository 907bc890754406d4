import Testing

@testable import LifelineService

struct CreatedUserLinesTests {
    @Test func findsTheLineOfEveryCreatedUserAcrossRuns() {
        var lines = CreatedUserLines()
        // Lines 2-5 create users 10-13; line 6 is rejected; line 8 (after a two-line record) creates 14.
        for (id, line) in [(10, 2), (11, 3), (12, 4), (13, 5), (14, 8), (15, 9), (20, 30)] {
            lines.record(id: Int64(id), line: line)
        }
        #expect([10, 11, 12, 13, 14, 15, 20].map { lines.line(of: Int64($0)) } == [2, 3, 4, 5, 8, 9, 30])
        #expect(lines.line(of: 9) == nil)
        #expect(lines.line(of: 16) == nil)
        #expect(lines.line(of: 21) == nil)
    }
}
