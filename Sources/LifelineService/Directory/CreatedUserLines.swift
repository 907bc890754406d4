/// The line each user created by an import came from, kept as runs: consecutive rows that
/// create users get consecutive ids, so a clean file is a single run whatever its size.
///
/// It replaces one temp-table row per created user (4% of a first import); users that existed
/// before the import are still tracked in the temp table.
struct CreatedUserLines {
    private struct Run {
        let firstID: Int64
        let firstLine: Int
        var count: Int
    }

    private var runs: [Run] = []

    /// Records that `line` created the user `id` (ids only grow during an import).
    mutating func record(id: Int64, line: Int) {
        if let last = runs.last, last.firstID + Int64(last.count) == id, last.firstLine + last.count == line {
            runs[runs.count - 1].count += 1
        } else {
            runs.append(Run(firstID: id, firstLine: line, count: 1))
        }
    }

    /// The line that created `id`, if this import created it.
    func line(of id: Int64) -> Int? {
        var low = 0
        var high = runs.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let run = runs[middle]
            if id < run.firstID {
                high = middle - 1
            } else if id >= run.firstID + Int64(run.count) {
                low = middle + 1
            } else {
                return run.firstLine + Int(id - run.firstID)
            }
        }
        return nil
    }
}
