import FoundationEssentials
import LifelineStore

/// What `lifeline copy` moved, and the proof that it all arrived.
public struct CopySummary: Sendable {
    public struct Table: Sendable, Equatable {
        public let name: String
        public let rows: Int64
    }

    public let source: String
    public let target: String
    /// Rows copied by table, in the order copied; each count was checked on the target.
    public let tables: [Table]
    /// The consent ledger's digest, the same on both databases.
    public let ledgerDigest: String
    /// Current consent rows the target rebuilt from the ledger, the same count as the source's.
    public let consentCurrentRows: Int64
    public let seconds: Double

    public var rows: Int64 { tables.reduce(0) { $0 + $1.rows } }
}

/// `lifeline copy` cannot, or did not, copy.
public enum CopyFailure: LifelineFailure, Equatable {
    case sameDatabase(String)
    case targetNotEmpty(path: String, tables: [String])
    case schemasDiffer(table: String, onlySource: [String], onlyTarget: [String])
    case countDiffers(table: String, source: Int64, target: Int64)
    case ledgerDiffers(source: String, target: String)

    public var kind: FailureKind {
        switch self {
        case .sameDatabase, .targetNotEmpty: .usage
        case .schemasDiffer: .configuration
        case .countDiffers, .ledgerDiffers: .internal
        }
    }

    public var message: String {
        switch self {
        case .sameDatabase(let path):
            "the source and the target are the same database (\(path))"
        case .targetNotEmpty(let path, let tables):
            "\(path) already holds data (in \(tables.joined(separator: ", "))); a copy goes only into a new, empty database, and nothing was changed"
        case .schemasDiffer(let table, let onlySource, let onlyTarget):
            "the two databases' \(table) tables differ (only the source has [\(onlySource.joined(separator: ", "))], only the target [\(onlyTarget.joined(separator: ", "))]); nothing was changed"
        case .countDiffers(let table, let source, let target):
            "the copy of \(table) has \(target) rows where the source has \(source); nothing was changed"
        case .ledgerDiffers(let source, let target):
            "the copied consent ledger's digest \(target) is not the source's \(source); nothing was changed"
        }
    }

    public var remedy: String? {
        switch self {
        case .sameDatabase: "name another database with --to or --from"
        case .targetNotEmpty: "create a new database (createdb, or a new file path) and copy into that"
        case .schemasDiffer: "run `lifeline migrate` on both with this binary first"
        case .countDiffers, .ledgerDiffers: "report this; the target was left as it was"
        }
    }
}

/// Moves a whole Lifeline database to another, on either engine: `lifeline copy --to
/// postgres://…` when an organisation outgrows SQLite, and `--from` back.
///
/// The target is migrated to this binary's schema if it has none, and refused unless it holds
/// nothing but what `migrate` puts there. Everything is copied in one transaction on the
/// target, from one snapshot of the source, and checked before that transaction commits: the
/// rows of each table counted on both sides, the current consent the target rebuilt from the
/// ledger counted, and the ledger's digest compared. A copy that fails any check leaves the
/// target as it was.
public struct DatabaseCopy: Sendable {
    public let source: DatabaseSettings
    public let target: DatabaseSettings

    public init(from source: DatabaseSettings, to target: DatabaseSettings) {
        self.source = source
        self.target = target
    }

    /// Copies; `progress` hears each table once its rows are in.
    public func run(progress: (String, Int64) -> Void = { _, _ in }) throws -> CopySummary {
        guard source.location != target.location else { throw CopyFailure.sameDatabase(source.path) }
        let started = ContinuousClock.now
        // The source must be exactly this binary's schema: a copy carries rows, not migrations.
        let from = try source.openCurrent(cacheSizeKiB: Database.bulkCacheKiB, reader: true)
        defer { from.close() }
        _ = try DatabaseMaintenance(LifelineEnvironment(database: target, secret: .notNamed)).migrate(backup: false)
        let to = try target.openCurrent(cacheSizeKiB: Database.bulkCacheKiB)
        defer { to.close() }
        let copier = DatabaseCopier(source: from, target: to)
        let (tables, digest, current) = try target.translatingErrors {
            try from.read {
                try to.durableWrite {
                    let occupied = try copier.targetRowsBeyondMigration()
                    guard occupied.isEmpty else {
                        throw CopyFailure.targetNotEmpty(path: target.path, tables: occupied.map { "\($0.table): \($0.rows) rows" })
                    }
                    let copied: [(table: String, rows: Int64)]
                    do {
                        copied = try copier.copyAll(progress: progress)
                    } catch let differ as DatabaseCopier.ColumnsDiffer {
                        throw CopyFailure.schemasDiffer(table: differ.table, onlySource: differ.onlySource, onlyTarget: differ.onlyTarget)
                    }
                    return try verify(copied, from: from, to: to)
                }
            }
        }
        return CopySummary(
            source: source.path, target: target.path, tables: tables, ledgerDigest: digest, consentCurrentRows: current,
            seconds: (ContinuousClock.now - started).seconds)
    }

    /// Counts every table on both sides and compares the ledgers; throws at the first difference.
    private func verify(
        _ copied: [(table: String, rows: Int64)], from: any SQLConnection, to: any SQLConnection
    ) throws -> ([CopySummary.Table], String, Int64) {
        var tables: [CopySummary.Table] = []
        for (table, rows) in copied {
            let expected = try DatabaseCopier.count(table, on: from)
            let arrived = try DatabaseCopier.count(table, on: to)
            guard expected == arrived, rows == expected else {
                throw CopyFailure.countDiffers(table: table, source: expected, target: arrived)
            }
            tables.append(CopySummary.Table(name: table, rows: arrived))
        }
        var current: Int64 = 0
        for table in DatabaseCopier.derivedTables {
            let expected = try DatabaseCopier.count(table, on: from)
            current = try DatabaseCopier.count(table, on: to)
            guard expected == current else { throw CopyFailure.countDiffers(table: table, source: expected, target: current) }
        }
        let digest = try DatabaseCopier.ledgerDigest(on: from)
        let copiedDigest = try DatabaseCopier.ledgerDigest(on: to)
        guard digest == copiedDigest else { throw CopyFailure.ledgerDiffers(source: digest, target: copiedDigest) }
        return (tables, digest, current)
    }
}
