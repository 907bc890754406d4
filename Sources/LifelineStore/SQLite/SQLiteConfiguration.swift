/// How a connection is opened and tuned.
public struct SQLiteConfiguration: Sendable {
    /// SQLite's `synchronous` levels: how hard a commit waits for the disk.
    public enum Synchronous: String, Sendable, CaseIterable {
        /// No fsync; a power loss can lose or corrupt recent commits.
        case off = "OFF"
        /// WAL's usual level: durable across application crashes; a power loss may lose the
        /// last commits but never corrupts the file.
        case normal = "NORMAL"
        /// Every commit is synced: durable across power loss.
        case full = "FULL"
        /// FULL, and the WAL's directory is synced too.
        case extra = "EXTRA"
    }

    /// How long a connection waits for another's lock before failing with `SQLITE_BUSY`.
    public var busyTimeout: Duration = .seconds(5)
    /// The `synchronous` level for every transaction of the connection.
    public var synchronous: Synchronous = .normal
    /// The page cache size, in KiB (`PRAGMA cache_size` with a negative value).
    public var cacheSizeKiB: Int = 16 * 1024
    /// Create the file (mode `fileMode`) when it does not exist; otherwise opening it fails.
    public var createIfMissing: Bool = true
    /// Open the file read-only: writes fail with `SQLITE_READONLY`.
    public var isReadOnly: Bool = false
    /// The permissions of a file this connection creates (the database and, through SQLite,
    /// its WAL and shared-memory files, which take the database's mode).
    public var fileMode: UInt32 = 0o600

    public init() {}

    /// The busy timeout in whole milliseconds, as `sqlite3_busy_timeout` wants it.
    var busyTimeoutMilliseconds: Int32 {
        let (seconds, attoseconds) = busyTimeout.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, milliseconds))
    }
}
