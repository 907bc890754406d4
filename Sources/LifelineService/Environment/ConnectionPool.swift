import Glibc
import LifelineStore
import Synchronization

/// Connections kept open for reuse by a long-running process (the server), so that a request
/// does not pay, each time, for opening the file, its pragmas and the check that the schema is
/// current, and keeps the prepared statements its connection cached. The CLI runs one command
/// per process and has none.
///
/// A connection is used by one thread at a time: checked out for one `withCurrentConnection`
/// call, then put back, only when no transaction is left open on it. It is checked again on
/// the way out: if the schema changed since it was opened (a `lifeline migrate` meanwhile),
/// it is closed and a new one opened, which checks the schema afresh. And if the file at the
/// path is no longer the one they opened (a backup restored over it), every kept connection
/// is closed: they would go on reading the old, unlinked file.
public final class ConnectionPool: Sendable {
    private struct Kept: @unchecked Sendable {
        // Only ever touched by the one thread that checked it out, or under the lock.
        let connection: SQLiteConnection
        let opened: Opened
    }

    /// What a connection was when opened: the file it opened, the schema's change counter, and
    /// whether it refuses writes (a reader, `PRAGMA query_only`, set once when opened).
    struct Opened: Equatable {
        let file: FileIdentity?
        let schemaVersion: Int64
        var isReader = false
    }

    private let kept = Mutex<[Kept]>([])
    /// Connections kept idle at most; more are closed when put back.
    public let capacity: Int

    public init(capacity: Int = 16) {
        self.capacity = capacity
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

    /// A kept connection to the file now at `path` whose schema is as it was when opened, or nil.
    func checkOut(path: String, reader: Bool = false) -> (connection: SQLiteConnection, opened: Opened)? {
        let file = FileIdentity(path: path)
        while let candidate = kept.withLock({ kept -> Kept? in
            guard let index = kept.lastIndex(where: { $0.opened.isReader == reader }) else { return nil }
            return kept.remove(at: index)
        }) {
            if candidate.opened.file == file, (try? candidate.connection.schemaVersion()) == candidate.opened.schemaVersion {
                return (candidate.connection, candidate.opened)
            }
            candidate.connection.close()
        }
        return nil
    }

    /// Keeps `connection` for the next caller, or closes it when a transaction is still open
    /// on it or enough are kept already.
    func checkIn(_ connection: SQLiteConnection, opened: Opened) {
        guard connection.isAutocommit else { return connection.close() }
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
