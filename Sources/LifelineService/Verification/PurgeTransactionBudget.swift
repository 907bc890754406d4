/// When a purge transaction stops deleting and commits: once it has held the write lock for
/// its time budget, or at the operator's batch size, whichever comes first.
///
/// Each deleted request takes an entry out of three indexes in random order, so a row costs
/// a page or more, and on this project's 2-core machine the same rows took ten times longer
/// while a checkpoint or another process had the CPU. Batches sized from the previous batch's
/// speed still held the lock for 170 ms when the next one ran slow. Deleting in chunks of
/// ``chunkRows`` and reading the clock between them bounds a transaction's deletes by the
/// budget plus one chunk; its `COMMIT`, which writes the pages they dirtied, comes on top.
struct PurgeTransactionBudget {
    /// Rows per `DELETE` inside a transaction: small enough that one chunk stays a few
    /// milliseconds on a slow moment, large enough that the statements cost little (the whole
    /// purge took 0.90–1.09× the time of C's fixed 10,000-row batches in eight runs).
    static let chunkRows = 100
    /// How long a transaction may keep deleting once it has the write lock.
    static let lockMilliseconds = 20.0

    /// The operator's `--batch-size`: the most rows one transaction deletes.
    let maximumRows: Int

    /// The rows the next chunk deletes, or nil when the transaction should commit now. The
    /// first chunk always runs, so every transaction makes progress.
    func nextChunk(deleted: Int, heldMilliseconds: Double) -> Int? {
        guard deleted < maximumRows, deleted == 0 || heldMilliseconds < Self.lockMilliseconds else { return nil }
        return min(Self.chunkRows, maximumRows - deleted)
    }

    /// Runs `deleteUpTo` (which deletes at most the rows it is given and returns how many it
    /// did) chunk by chunk in the current transaction, begun at `lockTaken`, until the budget
    /// says commit. Returns the rows deleted, and whether a short chunk showed nothing is left.
    func deleteChunks(since lockTaken: ContinuousClock.Instant, _ deleteUpTo: (Int) throws -> Int) rethrows
        -> (deleted: Int, exhausted: Bool)
    {
        var deleted = 0
        while let rows = nextChunk(deleted: deleted, heldMilliseconds: (ContinuousClock.now - lockTaken).seconds * 1000) {
            let chunk = try deleteUpTo(rows)
            deleted += chunk
            if chunk < rows { return (deleted, true) }
        }
        return (deleted, false)
    }
}
