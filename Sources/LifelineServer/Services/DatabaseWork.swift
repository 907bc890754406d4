import LifelineService
import NIOPosix
import ServiceLifecycle

/// Runs the service's blocking SQLite work off the event loops.
///
/// Reads go to NIO's shared thread pool, each on its own connection (WAL lets them run beside
/// a writer). Writes go to one thread of their own, so they run one at a time: the server's own
/// load never meets SQLite's busy lock, and only another process (a CLI, cron) can make a
/// writer wait, up to the busy timeout.
///
/// It is a `Service` that the application runs first, so that it stops last: every request
/// and background service is done with it by then, and its threads end on every path out
/// (a test's application included).
public final class DatabaseWork: Service, Sendable {
    private let writerThread: NIOThreadPool
    /// Password hashing (PBKDF2, a tenth of a second or more each): threads of its own, so a
    /// flood of sign-ins queues here and neither the writer nor the readers wait behind it.
    private let hashingThreads: NIOThreadPool

    public init() {
        writerThread = NIOThreadPool(numberOfThreads: 1)
        writerThread.start()
        hashingThreads = NIOThreadPool(numberOfThreads: 2)
        hashingThreads.start()
    }

    /// Work that only reads.
    public func read<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }

    /// Work that writes: one at a time, in the order asked.
    public func write<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await writerThread.runIfActive(work)
    }

    /// Waits for the service group to stop, then stops the threads once their queued work is done.
    public func run() async throws {
        try? await gracefulShutdown()
        try await shutdown()
    }

    /// Stops the writer and hashing threads once their queued work is done.
    public func shutdown() async throws {
        try await writerThread.shutdownGracefully()
        try await hashingThreads.shutdownGracefully()
    }
}

extension DatabaseWork {
    /// The writer thread as ``BlockingWork``, for the dispatcher and the scheduler.
    public var writer: some BlockingWork { Writer(database: self) }

    /// The shared thread pool as ``BlockingWork``, for long work that commits in its own small
    /// transactions (the purge) and must not hold the writer thread meanwhile.
    public var background: some BlockingWork { Background(database: self) }

    /// Where a flow's reads, password hashing and writes run (``WorkPlaces``).
    public var places: WorkPlaces {
        WorkPlaces(reading: background, computing: Hashing(threads: hashingThreads), writing: writer)
    }

    private struct Hashing: BlockingWork {
        let threads: NIOThreadPool

        func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
            try await threads.runIfActive(work)
        }
    }

    private struct Background: BlockingWork {
        let database: DatabaseWork

        func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
            try await database.read(work)
        }
    }

    private struct Writer: BlockingWork {
        let database: DatabaseWork

        func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
            try await database.write(work)
        }
    }
}
