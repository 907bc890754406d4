import Testing

@testable import LifelineService

struct PurgeTransactionBudgetTests {
    @Test func deletesChunksUntilTheLockBudgetIsSpent() {
        let budget = PurgeTransactionBudget(maximumRows: 10_000)
        #expect(budget.nextChunk(deleted: 0, heldMilliseconds: 0) == PurgeTransactionBudget.chunkRows)
        #expect(budget.nextChunk(deleted: 300, heldMilliseconds: 19.9) == PurgeTransactionBudget.chunkRows)
        #expect(budget.nextChunk(deleted: 300, heldMilliseconds: PurgeTransactionBudget.lockMilliseconds) == nil)
        #expect(budget.nextChunk(deleted: 300, heldMilliseconds: 500) == nil)
    }

    @Test func theFirstChunkRunsHoweverLongTheLockTookToStart() {
        let budget = PurgeTransactionBudget(maximumRows: 10_000)
        #expect(budget.nextChunk(deleted: 0, heldMilliseconds: 1_000) == PurgeTransactionBudget.chunkRows)
    }

    @Test func neverDeletesPastTheBatchSize() {
        let budget = PurgeTransactionBudget(maximumRows: 250)
        #expect(budget.nextChunk(deleted: 200, heldMilliseconds: 1) == 50)
        #expect(budget.nextChunk(deleted: 250, heldMilliseconds: 1) == nil)
        let tiny = PurgeTransactionBudget(maximumRows: 2)
        #expect(tiny.nextChunk(deleted: 0, heldMilliseconds: 0) == 2)
        #expect(tiny.nextChunk(deleted: 2, heldMilliseconds: 0) == nil)
    }

    @Test func deleteChunksStopsAtAShortChunkAtTheBatchSizeOrOnceTheBudgetIsSpent() {
        func deleter(rowsLeft: Int) -> (Int) -> Int {
            var left = rowsLeft
            return { limit in
                let taken = min(limit, left)
                left -= taken
                return taken
            }
        }
        let budget = PurgeTransactionBudget(maximumRows: 10_000)
        let drained = budget.deleteChunks(since: .now, deleter(rowsLeft: 250))
        #expect(drained.deleted == 250 && drained.exhausted, "100 + 100 + a short 50: nothing left")

        let capped = PurgeTransactionBudget(maximumRows: 120).deleteChunks(since: .now, deleter(rowsLeft: 1_000))
        #expect(capped.deleted == 120 && !capped.exhausted)

        let late = budget.deleteChunks(since: .now - .seconds(1), deleter(rowsLeft: 1_000))
        #expect(late.deleted == PurgeTransactionBudget.chunkRows && !late.exhausted, "one chunk, then commit")
    }
}
