/// How `import users` treats group memberships.
public enum GroupImportMode: String, Sendable, CaseIterable {
    /// Adds the file's memberships; keeps the others.
    case add
    /// Makes each listed user's memberships exactly the file's.
    case replace
}

/// The choices of one directory import.
public struct ImportOptions: Sendable {
    public var groups: GroupImportMode = .add
    /// Disable active users absent from the file (and re-enable disabled ones present in it).
    public var disableMissing = false
    /// Write the good rows even when some are rejected (otherwise nothing is written).
    public var allowPartial = false
    /// Validate and count everything, then write nothing.
    public var dryRun = false
    /// Write every rejected record, with its line and reason, to this CSV file.
    public var rejectFilePath: String?
    /// How many rejections the summary keeps, in file order (the reject file has them all).
    public var keptRejections = 20
    /// Header name → what the column is (`email`, `name`, `groups`, or an attribute's name),
    /// for headers the aliases do not cover (`--map "Work Mobile=mobile"`).
    public var columnMap: [String: String] = [:]
    /// The largest field accepted, in bytes.
    public var maximumFieldBytes = 4096
    /// The page cache for the import's connection, in KiB.
    public var cacheSizeKiB = Database.bulkCacheKiB
    /// The staging tables' own page cache, at most.
    static let stagingCacheKiB = 8 * 1024
    /// The page cache while a first import builds its indexes, which bounds SQLite's sorter too.
    static let indexBuildCacheKiB = 8 * 1024

    public init() {}

    /// Whether an import with these options that counted `summary` writes nothing: rejected
    /// rows refuse the whole of an all-or-nothing import. The importer and every preview of
    /// one (the console's dry run) ask this.
    public func refuses(_ summary: ImportSummary) -> Bool {
        summary.rejected > 0 && !allowPartial
    }

    /// Reads `HEADER=WHAT` entries (`--map`, the API's `map` parameters, the console's lines)
    /// into ``columnMap``; the last entry for a header wins. Blank entries are skipped.
    public static func columnMap(reading entries: [String]) throws -> [String: String] {
        var columns: [String: String] = [:]
        for entry in entries where !entry.trimmingBlanks().isEmpty {
            let parts = entry.split(separator: "=", maxSplits: 1).map { String($0).trimmingBlanks() }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw ImportFailure.badColumnMap(entry: entry) }
            columns[parts[0]] = parts[1]
        }
        return columns
    }
}

/// How far an import has got, for a progress bar.
public struct ImportProgress: Sendable {
    public let rows: Int
    public let bytesRead: Int64
    public let totalBytes: Int64?
    public let seconds: Double
}
