import LifelineService
import NIOPosix

/// The server's ``DatabaseLanes``: its database work runs off the event loops and the
/// cooperative pool, on threads made for blocking.
///
/// Reads go to NIO's shared thread pool, each on its own pooled connection (WAL lets them run
/// beside a writer). On SQLite, writes go to one thread of their own, so they run one at a
/// time: the server's own load never meets SQLite's busy lock, and only another process (a
/// CLI, cron) can make a writer wait, up to the busy timeout. On PostgreSQL a few writer
/// threads run writes side by side, each its own transaction. Password hashing (PBKDF2, a tenth of a
/// second or more each) has threads of its own, so a flood of sign-ins queues there and
/// neither the writer nor the readers wait behind it.
///
/// The ``Database`` that uses them is a service the application runs first, so they stop last,
/// on every path out (a test's application included).
public final class DatabaseThreads: DatabaseLanes {
    private let writerThread: NIOThreadPool
    private let hashingThreads: NIOThreadPool
    public let places: WorkPlaces

    /// Readers of their own, when asked for (PostgreSQL), else NIO's shared pool.
    private let readerThreads: NIOThreadPool?

    /// `writers` threads for writes: one for SQLite (see ``DatabaseLocation/concurrentWriters``);
    /// `readers` threads of their own for reads, or NIO's shared pool when nil
    /// (``DatabaseLocation/concurrentReaders``).
    public init(writers: Int = 1, readers: Int? = nil) {
        writerThread = NIOThreadPool(numberOfThreads: writers)
        writerThread.start()
        hashingThreads = NIOThreadPool(numberOfThreads: 2)
        hashingThreads.start()
        readerThreads = readers.map { NIOThreadPool(numberOfThreads: $0) }
        readerThreads?.start()
        places = WorkPlaces(
            reading: Threads(pool: readerThreads ?? .singleton), computing: Threads(pool: hashingThreads),
            writing: Threads(pool: writerThread))
    }

    /// Stops the threads of its own once their queued work is done.
    public func shutdown() async throws {
        try await writerThread.shutdownGracefully()
        try await hashingThreads.shutdownGracefully()
        try await readerThreads?.shutdownGracefully()
    }

    private struct Threads: BlockingWork {
        let pool: NIOThreadPool

        func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
            try await pool.runIfActive(work)
        }
    }
}
