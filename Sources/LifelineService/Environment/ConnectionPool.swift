import Dispatch
import Glibc
import LifelineStore
import Synchronization

/// Connections kept open for reuse by a long-running process (the server), so that a request
/// does not pay, each time, for opening the database (a file's pragmas, a server's sign-in)
/// and the check that the schema is current, and keeps the prepared statements its connection
/// cached. The CLI runs one command per process and has none.
///
/// A connection is used by one thread at a time: checked out for one `withCurrentConnection`
/// call, then put back, only when no transaction is left open on it. It is checked again on
/// the way out:
/// - SQLite: if the schema changed since it was opened (a `lifeline migrate` meanwhile), it is
///   closed and a new one opened, which checks the schema afresh; and if the file at the path
///   is no longer the one they opened (a backup restored over it), every kept connection is
///   closed: they would go on reading the old, unlinked file.
/// - PostgreSQL: a connection whose server hung up (a restart, a failover) is dropped.
///
/// The pool is bounded: at most ``limit`` connections are out at once. A caller beyond that
/// waits for one to come back, at most ``waitLimit``, and is then refused as busy (HTTP 503
/// with `Retry-After`): a database that has stopped answering fills the pool, and the requests
/// behind it fail in seconds instead of queueing without end.
public final class ConnectionPool: Sendable {
    private struct Kept: @unchecked Sendable {
        // Only ever touched by the one thread that checked it out, or under the lock.
        let connection: any SQLConnection
        let opened: Opened
    }

    /// What a connection was when opened: for SQLite the file it opened and the schema's change
    /// counter; and whether it refuses writes (a reader, set once when opened).
    struct Opened: Equatable {
        let file: FileIdentity?
        let schemaVersion: Int64?
        var isReader = false
    }

    private let kept = Mutex<[Kept]>([])
    /// One permit for each connection that may be out at once.
    private let permits: DispatchSemaphore
    /// Connections kept idle at most; more are closed when put back.
    public let capacity: Int
    /// Connections out at once at most.
    public let limit: Int
    /// How long a caller waits for a connection when ``limit`` are out.
    public let waitLimit: Duration

    public init(capacity: Int = 16, limit: Int = 32, waitLimit: Duration = .seconds(5)) {
        self.capacity = capacity
        self.limit = max(1, limit)
        self.waitLimit = waitLimit
        permits = DispatchSemaphore(value: max(1, limit))
    }

    deinit {
        for kept in kept.withLock({ $0 }) { kept.connection.close() }
    }

    /// The device and inode of a file: which file a path names now.
    struct FileIdentity: Equatable {
        let device: UInt64
        let inode: UInt64

        init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    /// Takes a permit to hold a connection, waiting at most ``waitLimit`` for one to come back.
    /// It blocks: callers run on the database's own threads, never an event loop. Give it back
    /// with ``checkIn(_:opened:)``, or ``giveBack()`` when no connection came of it.
    func reserve() throws {
        let nanoseconds = Int(waitLimit.wholeMilliseconds) * 1_000_000
        guard permits.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success else {
            throw DatabaseFailure(
                kind: .busy,
                message: "all \(limit) database connections stayed in use for \(waitLimit.wholeMilliseconds) ms: the database is slow or not answering",
                remedy: "try again shortly; if it persists, check the database server")
        }
    }

    /// Gives back a permit taken by ``reserve()`` that no connection came of.
    func giveBack() {
        permits.signal()
    }

    /// A kept connection still fit for use at `location`, or nil. Call it holding a permit.
    func checkOut(_ location: DatabaseLocation, reader: Bool = false) -> (connection: any SQLConnection, opened: Opened)? {
        let file: FileIdentity?
        if case .sqlite(let path) = location { file = FileIdentity(path: path) } else { file = nil }
        while let candidate = kept.withLock({ kept -> Kept? in
            guard let index = kept.lastIndex(where: { $0.opened.isReader == reader }) else { return nil }
            return kept.remove(at: index)
        }) {
            if Self.isFit(candidate, file: file) { return (candidate.connection, candidate.opened) }
            candidate.connection.close()
        }
        return nil
    }

    private static func isFit(_ candidate: Kept, file: FileIdentity?) -> Bool {
        guard !candidate.connection.isLost else { return false }
        guard let sqlite = candidate.connection as? SQLiteConnection else { return true }
        return candidate.opened.file == file && (try? sqlite.schemaVersion()) == candidate.opened.schemaVersion
    }

    /// Keeps `connection` for the next caller, or closes it when a transaction is still open
    /// on it, it is lost, or enough are kept already; and gives back its permit.
    func checkIn(_ connection: any SQLConnection, opened: Opened) {
        defer { permits.signal() }
        guard connection.isAutocommit, !connection.isLost else { return connection.close() }
        let isKept = kept.withLock { kept in
            guard kept.count < capacity else { return false }
            kept.append(Kept(connection: connection, opened: opened))
            return true
        }
        if !isKept { connection.close() }
    }

    /// How many connections are kept idle now.
    public var idleCount: Int { kept.withLock { $0.count } }
}
