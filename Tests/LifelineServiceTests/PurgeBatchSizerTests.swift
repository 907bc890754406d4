import Testing

@testable import LifelineService

struct PurgeBatchSizerTests {
    @Test func startsSmallAndGrowsToTheCapWhileBatchesAreQuick() {
        var sizer = PurgeBatchSizer(maximumRows: 10_000)
        #expect(sizer.rows == 250)
        var sizes: [Int] = []
        for _ in 0..<8 {
            sizer.record(milliseconds: 5)
            sizes.append(sizer.rows)
        }
        #expect(sizes == [500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000], "at most doubling, never past the cap")
    }

    @Test func scalesTowardTheTargetAndAtMostHalvesAfterASlowBatch() {
        var sizer = PurgeBatchSizer(maximumRows: 10_000)
        for _ in 0..<6 { sizer.record(milliseconds: 1) }
        sizer.record(milliseconds: PurgeBatchSizer.targetMilliseconds * 1.25)
        #expect(sizer.rows == 8_000)
        sizer.record(milliseconds: 500)
        #expect(sizer.rows == 4_000)
        sizer.record(milliseconds: PurgeBatchSizer.targetMilliseconds)
        #expect(sizer.rows == 4_000)
        for _ in 0..<20 { sizer.record(milliseconds: 10_000) }
        #expect(sizer.rows == PurgeBatchSizer.minimumRows)
    }

    @Test func aCapBelowTheStartIsKept() {
        var sizer = PurgeBatchSizer(maximumRows: 2)
        #expect(sizer.rows == 2)
        sizer.record(milliseconds: 10_000)
        #expect(sizer.rows == 2, "a cap below the floor is the floor")
        sizer.record(milliseconds: 0)
        #expect(sizer.rows == 2)
    }
}
