/// When a purge transaction stops deleting and commits: once it has held the write lock for
/// its time budget, or at the operator's batch size, whichever comes first.
///
/// Each deleted request takes an entry out of three indexes in random order, so a row costs
/// a page or more, and on this project's 2-core machine the same rows took ten times longer
/// while a checkpoint or another process had the CPU. Batches sized from the previous batch's
/// speed still held the lock for 170 ms when the next one ran slow. Deleting in chunks of
/// ``chunkRows`` and reading the clock between them bounds a transaction by the budget plus
/// one chunk, however the machine behaves.
struct PurgeTransactionBudget {
    /// Rows per `DELETE` inside a transaction: small enough that one chunk stays a few
    /// milliseconds on a slow moment, large enough that the statements cost little (about
    /// 1 µs per row of the 9 µs a row takes).
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
}
