import Foundation
import Glibc
import Synchronization
import LifelinePostgres

/// A PostgreSQL 15 server of the tests' own: a new cluster in a temporary folder, on a free
/// loopback port, signing in with SCRAM (so the password path is really used), started on
/// first use and stopped when the test process exits.
///
/// As root (CI) it runs as the `postgres` user, since initdb and postgres refuse root.
public final class PostgresTestServer: Sendable {
    /// The one server of this test process.
    public static let shared = Result { try PostgresTestServer() }

    public let folder: String
    public let port: Int
    /// The role Lifeline signs in as: no superuser, no CREATEDB, no CREATEROLE; it owns each
    /// test's database, as docs/postgresql.md asks of a real installation.
    public let user = "lifeline"
    /// The cluster's superuser, which only creates the role and the databases.
    private let administrator = "administrator"
    public let password: String
    private let databases = Counter()

    /// A server of its own, apart from ``shared``, for a test that stops it (a failover's).
    public static func makeOwn() throws -> PostgresTestServer {
        try PostgresTestServer()
    }

    private init() throws {
        let bin = Self.binaries()
        let folder = try Self.newFolder()
        self.folder = folder
        password = "pw-" + UUID().uuidString
        let passwordFile = folder + "/password"
        try password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        if geteuid() == 0, let owner = getpwnam("postgres") {
            chown(folder, owner.pointee.pw_uid, owner.pointee.pw_gid)
            chown(passwordFile, owner.pointee.pw_uid, owner.pointee.pw_gid)
        }
        try Self.run(
            bin + "/initdb",
            ["-D", folder + "/data", "-U", administrator, "--pwfile", passwordFile, "--auth-host=scram-sha-256",
             "--auth-local=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], logIn: folder)
        port = try Self.freePort()
        try Self.start(folder: folder, port: port)
        let admin = try PostgresSQLConnection.connect(to: PostgresLocation(url: url(database: "postgres", as: administrator), environment: [:]))
        defer { admin.close() }
        try admin.execute("CREATE ROLE \(user) LOGIN PASSWORD '\(password)' NOSUPERUSER NOCREATEDB NOCREATEROLE")
    }

    /// Each cluster's folder: stopped and removed when the process exits.
    private static let clusters = Mutex<[String]>([])

    /// A new folder for a cluster, registered before anything can fail, so a cluster that
    /// never started still has its folder removed (stopping one that is not running fails
    /// harmlessly).
    static func newFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifeline-pg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if geteuid() == 0, let owner = getpwnam("postgres") { chown(folder, owner.pointee.pw_uid, owner.pointee.pw_gid) }
        let first = clusters.withLock { clusters in
            clusters.append(folder)
            return clusters.count == 1
        }
        if first {
            atexit {
                for folder in PostgresTestServer.clusters.withLock({ $0 }) {
                    PostgresTestServer.stop(folder)
                    try? FileManager.default.removeItem(atPath: folder)
                }
            }
        }
        return folder
    }

    /// Stops the cluster in `folder` at once, as a crash would (`-m immediate`).
    static func stop(_ folder: String) {
        try? run(binaries() + "/pg_ctl", ["-D", folder + "/data", "-m", "immediate", "-w", "stop"], logIn: folder)
    }

    /// Kills this server as a lost machine would: no shutdown checkpoint, clients cut off.
    public func crash() {
        Self.stop(folder)
    }

    /// A streaming standby of this server (`pg_basebackup -R`), started on a port of its own.
    public func makeStandby() throws -> PostgresTestStandby {
        let folder = try Self.newFolder()
        let port = try Self.freePort()
        try Self.run(
            Self.binaries() + "/pg_basebackup",
            ["-D", folder + "/data", "-R", "-X", "stream", "--checkpoint=fast", "-d", url(database: "postgres", as: administrator)], logIn: folder)
        try Self.start(folder: folder, port: port)
        return PostgresTestStandby(folder: folder, port: port)
    }

    /// Starts the cluster in `folder` on loopback `port`, its socket in the folder.
    static func start(folder: String, port: Int) throws {
        // fsync off: the tests' data need not survive a power cut, and commits are then cheap.
        try run(
            binaries() + "/pg_ctl",
            ["-D", folder + "/data", "-l", folder + "/server.log", "-w", "-t", "60", "-o",
             "-k \(folder) -p \(port) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c max_pred_locks_per_transaction=1024", "start"],
            logIn: folder)
    }

    /// A new, empty database on the server, with the URL that reaches it over TCP.
    public func makeDatabase(encoding: String? = nil) throws -> String {
        let name = "lifeline_test_\(getpid())_\(databases.next())"
        let admin = try PostgresSQLConnection.connect(
            to: PostgresLocation(url: url(database: "postgres", as: administrator), environment: [:]))
        defer { admin.close() }
        let encoded = encoding.map { " ENCODING '\($0)' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'" } ?? ""
        try admin.execute("CREATE DATABASE \(name) OWNER \(user)" + encoded)
        return url(database: name)
    }

    /// The URL of `database` with the password in it.
    public func url(database: String) -> String {
        url(database: database, as: user)
    }

    private func url(database: String, as role: String) -> String {
        "postgres://\(role):\(password)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// A loopback port nothing listens on now: the kernel's choice for a socket bound to port 0.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw PostgresTestServerError(command: "bind 127.0.0.1:0", output: String(cString: strerror(errno))) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func binaries() -> String {
        let debian = "/usr/lib/postgresql/15/bin"
        return FileManager.default.fileExists(atPath: debian + "/initdb") ? debian : "/usr/bin"
    }

    /// Runs a PostgreSQL tool (or, `asPostgres` false, another daemon's) to its end, as
    /// `postgres` when this process is root, its output to `tool.log` in the server's folder.
    /// posix_spawn and waitpid, not Foundation's Process, whose wait for a child missed
    /// pg_ctl's exit here and hung the test run.
    static func run(_ tool: String, _ arguments: [String], logIn folder: String, asPostgres: Bool = true) throws {
        let asUser = geteuid() == 0 && asPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--", tool] : [tool]
        // Nothing else this test process has open goes on to the server, which outlives the
        // spawn: a file another test is writing (a binary it will run) would stay open for
        // writing in the postgres daemon, and running it would fail with "text file busy".
        // glibc's closefrom action is not in Swift's Glibc module, so bash closes them (dash cannot name fds past 9).
        let closing = "for fd in $(ls /proc/$$/fd); do if [ \"$fd\" -gt 2 ]; then eval \"exec $fd>&-\"; fi; done; exec \"$@\""
        let command = ["/bin/bash", "-c", closing, "postgres-tool"] + asUser + arguments
        let log = folder + "/tool.log"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var argv = command.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, command[0], &actions, nil, &argv, environ)
        guard spawned == 0 else {
            throw PostgresTestServerError(command: command.joined(separator: " "), output: String(cString: strerror(spawned)))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else {
            let output = FileManager.default.contents(atPath: log).map { String(decoding: $0, as: UTF8.self) } ?? ""
            throw PostgresTestServerError(command: command.joined(separator: " "), output: output)
        }
    }

    private final class Counter: Sendable {
        private let value = Mutex(0)
        func next() -> Int { value.withLock { $0 += 1; return $0 } }
    }
}

/// A standby of a test server, streaming its changes, until promoted.
public struct PostgresTestStandby: Sendable {
    public let folder: String
    public let port: Int

    /// Stops it at once.
    public func crash() {
        PostgresTestServer.stop(folder)
    }

    /// Makes it the primary (`pg_ctl promote`, waiting until it takes writes).
    public func promote() throws {
        try PostgresTestServer.run(PostgresTestServer.binaries() + "/pg_ctl", ["-D", folder + "/data", "-w", "promote"], logIn: folder)
    }
}

public struct PostgresTestServerError: Error, CustomStringConvertible {
    public let command: String
    public let output: String

    public init(command: String, output: String) {
        self.command = command
        self.output = output
    }
    public var description: String { "\(command) failed: \(output)" }
}
