import LifelineStore
import ServiceLifecycle

/// The one handle to Lifeline's database that every caller uses: the CLI, the server's routes
/// and pages, its background services and the service layer under them.
///
/// It is shaped like GRDB's `DatabasePool`:
/// - `read` runs on connections that refuse writes (`PRAGMA query_only`), so a read that tries
///   to write fails loudly;
/// - `write` runs on the one serialised writer;
/// - pooling and error translation are built in: nothing else opens a connection or turns
///   SQLite's errors into the service's failures.
///
/// Async callers (routes, pages, background services) hand it whole service calls:
/// `try await database.write { try ConsentService(environment).record(…) }` runs the call in
/// the writer's lane and `read` in the readers'. The service layer below uses the transaction
/// forms, internal to this module, whose bodies get the connection: so no caller above the
/// service layer sees which engine it holds, and a second engine stands behind these same
/// methods.
///
/// Where the work runs is the handle's ``DatabaseLanes``: in place for the CLI (one command,
/// nothing else to do meanwhile), threads of their own for the server (one writer, so its own
/// writes never meet SQLite's busy lock; readers; password hashing). As a `Service` the server
/// runs it first in its `ServiceGroup`, so it stops last, after everything that used it.
public final class Database: Service, Sendable {
    /// The page cache bulk work asks for (an import, a fan-out, a dispatch run, a purge, a
    /// copy), in KiB: each walks tables and indexes far past SQLite's 2 MiB default. Asking for
    /// one is also what marks work as bulk (see ``hold(cacheSizeKiB:reader:)``).
    public static let bulkCacheKiB = 64 * 1024

    /// Where the database is and how to open it.
    public let settings: DatabaseSettings
    /// Connections kept for reuse (the server, and any process on PostgreSQL); nil opens one
    /// per operation (the CLI on SQLite).
    let pool: ConnectionPool?
    /// Where blocking work runs.
    public let lanes: any DatabaseLanes

    public init(_ settings: DatabaseSettings, pool: ConnectionPool? = nil, lanes: any DatabaseLanes = InPlaceLanes()) {
        self.settings = settings
        // Opening an SQLite file is cheap; signing in to a PostgreSQL server costs round trips
        // and SCRAM's hashing (15 ms or more), so even a command keeps its connections, for
        // the many steps of `optin record --stdin` and the like.
        if pool == nil, case .postgres = settings.location {
            self.pool = ConnectionPool(capacity: 2)
        } else {
            self.pool = pool
        }
        self.lanes = lanes
    }

    /// The same database as a long-running process uses it: connections pooled, work in `lanes`.
    public func serving(from lanes: any DatabaseLanes) -> Database {
        Database(settings, pool: ConnectionPool(), lanes: lanes)
    }

    /// The database file.
    public var path: String { settings.path }

    /// Where a flow's reads, password hashing and writes run.
    public var places: WorkPlaces { lanes.places }

    /// Runs `work` (service calls that only read) in the readers' lane.
    public func read<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await lanes.places.reading.run(work)
    }

    /// Runs `work` (service calls that write) on the one writer, one at a time, in the order asked.
    public func write<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await lanes.places.writing.run(work)
    }

    /// Waits for the service group to stop, then stops the lanes once their queued work is done.
    public func run() async throws {
        try? await gracefulShutdown()
        try await lanes.shutdown()
    }
}

/// Where a ``Database``'s blocking work runs, and how it stops.
public protocol DatabaseLanes: Sendable {
    var places: WorkPlaces { get }
    /// Stops the lanes once their queued work is done; work asked afterwards fails.
    func shutdown() async throws
}

/// Everything on the caller's thread: the CLI's lanes.
public struct InPlaceLanes: DatabaseLanes {
    public init() {}

    public var places: WorkPlaces { WorkPlaces(reading: InPlaceWork(), computing: InPlaceWork(), writing: InPlaceWork()) }

    public func shutdown() async throws {}
}
