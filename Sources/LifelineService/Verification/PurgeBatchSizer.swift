/// How many rows the next purge transaction deletes: at most the operator's batch size, and
/// fewer while batches would hold the write lock longer than the target.
///
/// Each deleted request removes an entry from three indexes in random order, so a batch
/// dirties about one page per row, and on cold pages 10,000 rows held the lock for 500 ms.
/// The sizer starts small and scales the next batch by target / measured time (at most
/// doubling, at least halving), so lock holds stay near the target whether pages are cold or
/// warm, and batches grow to the cap where the machine allows.
struct PurgeBatchSizer {
    static let initialRows = 250
    static let minimumRows = 100
    /// What a batch should hold the write lock for. On this project's 2-core machine a 30 ms
    /// target still let one batch in a thousand reach 115 ms with a requester running; 20 ms
    /// kept the slowest near 65 ms at the same total time as fixed 10,000-row batches.
    static let targetMilliseconds = 20.0

    let maximumRows: Int
    private(set) var rows: Int

    init(maximumRows: Int) {
        self.maximumRows = maximumRows
        rows = min(maximumRows, Self.initialRows)
    }

    /// Sizes the next batch after one of the current size held the lock `milliseconds`.
    mutating func record(milliseconds: Double) {
        let scale = min(2, max(0.5, Self.targetMilliseconds / max(milliseconds, 0.001)))
        let next = Int((Double(rows) * scale).rounded())
        rows = min(maximumRows, max(min(Self.minimumRows, maximumRows), next))
    }
}
