import LifelinePostgres
import LifelineStore

/// Which database, on which engine: an SQLite file (the embedded default), or a PostgreSQL
/// database for several servers. The only place the service tells the engines apart is where
/// it opens a connection; everything above gets an `SQLConnection`.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    /// `--database`'s value: a `postgres://` URL, else `sqlite:PATH` or a plain path.
    /// `environment` gives a URL's password sources (`PGPASSWORD`, `PGPASSFILE`, `HOME`).
    public init(_ text: String, environment: [String: String]) throws {
        if PostgresLocation.isURL(text) {
            do {
                self = .postgres(try PostgresLocation(url: text, environment: environment))
            } catch {
                throw DatabaseFailure(
                    kind: .usage, message: "--database: \(error)",
                    remedy: "write it as postgres://USER@HOST:PORT/DBNAME[?sslmode=disable|prefer|require|verify-full]")
            }
        } else {
            self = .sqlite(path: text.hasPrefix("sqlite:") ? String(text.dropFirst("sqlite:".count)) : text)
        }
    }
}

extension DatabaseLocation {
    /// How many writes a server runs at once. SQLite takes one writer at a time, so the server
    /// queues its writes on one thread and never meets its own busy lock; PostgreSQL runs
    /// several side by side, each a transaction of its own (an import's merge then holds up
    /// no code request).
    public var concurrentWriters: Int {
        switch self {
        case .sqlite: 1
        case .postgres: 4
        }
    }

    /// Whether a connection has a page cache of its own to size (SQLite's), so that bulk work
    /// asking for a bigger one opens its own connection rather than take a kept one.
    public var hasConnectionCache: Bool {
        switch self {
        case .sqlite: true
        case .postgres: false
        }
    }

    /// Threads of its own for a server's reads, or nil for NIO's shared pool (one a core). An
    /// SQLite read is work on this machine's cores; a PostgreSQL read is mostly waiting for
    /// the server's answer, so more of them run at once (with a thread a core, opt-in lookups
    /// ran at 0.03x the rate of `/livez`).
    public var concurrentReaders: Int? {
        switch self {
        case .sqlite: nil
        case .postgres: 16
        }
    }
}

/// Where the database is and how to open it.
public struct DatabaseSettings: Sendable {
    /// The default database path, relative to the working folder.
    public static let defaultPath = "./lifeline.db"

    public var location: DatabaseLocation
    /// How long to wait for another process's lock before giving up with "busy".
    public var busyTimeout: Duration

    public init(path: String = DatabaseSettings.defaultPath, busyTimeout: Duration = .seconds(5)) {
        self.init(location: .sqlite(path: path), busyTimeout: busyTimeout)
    }

    public init(location: DatabaseLocation, busyTimeout: Duration = .seconds(5)) {
        self.location = location
        self.busyTimeout = busyTimeout
    }

    /// The SQLite file's path; for PostgreSQL, its URL without the password, as messages name it.
    public var path: String {
        switch location {
        case .sqlite(let path): path
        case .postgres(let location): location.description
        }
    }

    /// The SQLite file's path, nil on PostgreSQL: for what only a file has (a key file or an
    /// outbox file beside it, file permissions, backups by copy).
    public var filePath: String? {
        if case .sqlite(let path) = location { path } else { nil }
    }

    /// The migrator for this engine's schema.
    func makeMigrator() throws -> SchemaMigrator {
        switch location {
        case .sqlite: try LifelineSchema.makeMigrator()
        case .postgres: try PostgresSchema.makeMigrator()
        }
    }

    /// The connection configuration for these settings.
    func connectionConfiguration(createIfMissing: Bool) -> SQLiteConfiguration {
        var configuration = SQLiteConfiguration()
        configuration.busyTimeout = busyTimeout
        configuration.createIfMissing = createIfMissing
        return configuration
    }
}

extension Duration {
    /// The duration in whole milliseconds, for messages and options.
    public var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
