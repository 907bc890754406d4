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

    private init() throws {
        let bin = Self.binaries()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifeline-pg-\(UUID().uuidString)").path
        self.folder = folder
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // Registered before anything can fail, so a cluster that never started still has its
        // folder removed; stopping one that is not running fails harmlessly.
        Self.cleanUp.withLock {
            $0 = (stop: [bin + "/pg_ctl", "-D", folder + "/data", "-m", "immediate", "-w", "stop"], folder: folder)
        }
        atexit {
            guard let (stop, folder) = PostgresTestServer.cleanUp.withLock({ $0 }) else { return }
            try? PostgresTestServer.run(stop[0], Array(stop.dropFirst()), logIn: folder)
            try? FileManager.default.removeItem(atPath: folder)
        }
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
        // fsync off: the tests' data need not survive a power cut, and commits are then cheap.
        try Self.run(
            bin + "/pg_ctl",
            ["-D", folder + "/data", "-l", folder + "/server.log", "-w", "-t", "60", "-o",
             "-k \(folder) -p \(port) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start"],
            logIn: folder)
        let admin = try PostgresSQLConnection(location: PostgresLocation(url: url(database: "postgres", as: administrator), environment: [:]))
        defer { admin.close() }
        try admin.execute("CREATE ROLE \(user) LOGIN PASSWORD '\(password)' NOSUPERUSER NOCREATEDB NOCREATEROLE")
    }

    /// How to stop the server and where its folder is, for the process's exit.
    private static let cleanUp = Mutex<(stop: [String], folder: String)?>(nil)

    /// A new, empty database on the server, with the URL that reaches it over TCP.
    public func makeDatabase() throws -> String {
        let name = "lifeline_test_\(getpid())_\(databases.next())"
        let admin = try PostgresSQLConnection(
            location: PostgresLocation(url: url(database: "postgres", as: administrator), environment: [:]))
        defer { admin.close() }
        try admin.execute("CREATE DATABASE \(name) OWNER \(user)")
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
    private static func freePort() throws -> Int {
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

    private static func binaries() -> String {
        let debian = "/usr/lib/postgresql/15/bin"
        return FileManager.default.fileExists(atPath: debian + "/initdb") ? debian : "/usr/bin"
    }

    /// Runs a PostgreSQL tool to its end, as `postgres` when this process is root, its output
    /// to `tool.log` in the server's folder. posix_spawn and waitpid, not Foundation's Process,
    /// whose wait for a child missed pg_ctl's exit here and hung the test run.
    static func run(_ tool: String, _ arguments: [String], logIn folder: String) throws {
        let asUser = geteuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", tool] : [tool]
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

public struct PostgresTestServerError: Error, CustomStringConvertible {
    public let command: String
    public let output: String
    public var description: String { "\(command) failed: \(output)" }
}
