import FoundationEssentials
import LifelineVocabulary

/// One run of a directory sync, as `directory_syncs` keeps it.
public struct DirectorySyncRecord: Sendable, Equatable {
    public var source: DirectorySource
    public var actor: String
    public var startedAt: Date
    public var finishedAt: Date
    /// `written`, `nothing_to_write`, `dry_run`, `refused` or `failed`.
    public var outcome: String
    public var entries = 0
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    public var disabled = 0
    public var rejected = 0
    /// Why it failed, or what it warned about.
    public var detail: String?

    public init(source: DirectorySource, actor: String, startedAt: Date, finishedAt: Date, outcome: String) {
        self.source = source
        self.actor = actor
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
    }
}

/// The SQL for directory sync runs.
public struct DirectorySyncStore {
    let connection: any SQLConnection

    public init(connection: any SQLConnection) {
        self.connection = connection
    }

    public func record(_ run: DirectorySyncRecord) throws {
        try connection.execute(
            """
            INSERT INTO directory_syncs
                (source, actor, started_at, finished_at, outcome, entries, created, updated, unchanged, disabled, rejected, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, run.source.rawValue, run.actor, run.startedAt, run.finishedAt, run.outcome, Int64(run.entries), Int64(run.created),
            Int64(run.updated), Int64(run.unchanged), Int64(run.disabled), Int64(run.rejected), run.detail)
    }

    /// The latest run from `source`, if any.
    public func latest(source: DirectorySource) throws -> DirectorySyncRecord? {
        try connection.queryFirst(
            """
            SELECT actor, started_at, finished_at, outcome, entries, created, updated, unchanged, disabled, rejected, detail
            FROM directory_syncs WHERE source = ? ORDER BY started_at DESC, id DESC LIMIT 1
            """, source.rawValue
        ) { row in
            var run = DirectorySyncRecord(
                source: source, actor: row.string(at: 0), startedAt: try row.get(1), finishedAt: try row.get(2), outcome: row.string(at: 3))
            run.entries = Int(row.int64(at: 4))
            run.created = Int(row.int64(at: 5))
            run.updated = Int(row.int64(at: 6))
            run.unchanged = Int(row.int64(at: 7))
            run.disabled = Int(row.int64(at: 8))
            run.rejected = Int(row.int64(at: 9))
            run.detail = try row.get(10)
            return run
        }
    }
}
