import FoundationEssentials
import Glibc

/// Where a PostgreSQL database is and how to sign in, read from a libpq-style URL:
/// `postgres://USER[:PASSWORD]@HOST[:PORT][,HOST[:PORT]…]/DBNAME[?sslmode=…&target_session_attrs=…&connect_timeout=…]`.
///
/// Several hosts are tried in order, as libpq does, for the first that answers and suits
/// `target_session_attrs` (`any`, the default; `read-write` or `primary` for the one that
/// takes writes, which is how Lifeline follows a failover). The password comes from the URL,
/// else `PGPASSWORD`, else the passfile (`PGPASSFILE`, default `~/.pgpass`) in libpq's format,
/// looked up for each host, and is never part of ``description``.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// One server to try: its host, port and the password to sign in there with.
    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var password: String?

        public var description: String { "\(host.contains(":") ? "[\(host)]" : host):\(port)" }
    }

    /// Which server of several a connection may settle on (libpq's `target_session_attrs`).
    public enum TargetSession: String, Sendable {
        /// The first that answers.
        case any
        /// One whose sessions accept writes (`transaction_read_only` is off).
        case readWrite = "read-write"
        /// One that is not a standby (`pg_is_in_recovery()` is false).
        case primary
    }

    /// How the connection uses TLS, as libpq's `sslmode` defines it.
    public enum TLSMode: String, Sendable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, without checking its certificate (libpq's default).
        case prefer
        /// TLS or nothing, without checking the certificate.
        case require
        /// TLS with the certificate checked against trusted roots (`sslrootcert`, else the
        /// system's) and the host name.
        case verifyFull = "verify-full"
    }

    /// The servers to try, in order; never empty.
    public var endpoints: [Endpoint]
    public var user: String
    public var database: String
    public var targetSession: TargetSession
    public var tlsMode: TLSMode
    /// A PEM file of trusted roots for `verify-full` (libpq's `sslrootcert`).
    public var rootCertificatePath: String?
    /// How long to wait for the server to accept the connection.
    public var connectTimeout: Duration

    /// Whether `text` names a PostgreSQL database rather than an SQLite file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Reads `url`, then the password sources in `environment` (`PGPASSWORD`, `PGPASSFILE`, `HOME`).
    public init(url: String, environment: [String: String]) throws(PostgresLocationError) {
        guard let schemeEnd = url.range(of: "://"), Self.isURL(url) else { throw .notAURL(url) }
        var rest = Substring(url[schemeEnd.upperBound...])
        var query: [String: String] = [:]
        if let mark = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: mark)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                query[Self.decode(parts[0])] = parts.count > 1 ? Self.decode(parts[1]) : ""
            }
            rest = rest[..<mark]
        }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = Self.decode(rest[rest.index(after: slash)...])
            rest = rest[..<slash]
        }
        var userInfo: Substring?
        if let at = rest.lastIndex(of: "@") {
            userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }
        let servers = try rest.split(separator: ",", omittingEmptySubsequences: false).map(Self.hostAndPort)
        var user = environment["PGUSER"] ?? environment["USER"] ?? "postgres"
        var password: String?
        if let userInfo {
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            if !parts[0].isEmpty { user = Self.decode(parts[0]) }
            if parts.count > 1 { password = Self.decode(parts[1]) }
        }
        self.user = user
        database = path.isEmpty ? user : path
        let target = query["target_session_attrs"] ?? "any"
        guard let targetSession = TargetSession(rawValue: target) else { throw .badTargetSession(target) }
        self.targetSession = targetSession
        let mode = query["sslmode"] ?? "prefer"
        guard let tlsMode = TLSMode(rawValue: mode) else { throw .badTLSMode(mode) }
        self.tlsMode = tlsMode
        rootCertificatePath = query["sslrootcert"]
        if let timeout = query["connect_timeout"] {
            guard let seconds = Int(timeout), seconds >= 0 else { throw .badTimeout(timeout) }
            // libpq: zero (or nothing) waits indefinitely; 2 is its least effective value.
            connectTimeout = .seconds(seconds == 0 ? 3600 : max(2, seconds))
        } else {
            connectTimeout = .seconds(10)
        }
        let passFile = password == nil && environment["PGPASSWORD"] == nil ? PassFile(environment: environment) : nil
        let database = database
        endpoints = servers.map { host, port in
            Endpoint(
                host: host, port: port,
                password: password ?? environment["PGPASSWORD"]
                    ?? passFile?.password(host: host, port: port, database: database, user: user))
        }
    }

    /// `HOST[:PORT]` (a bracketed IPv6 address may carry a port too); an empty host is localhost.
    private static func hostAndPort(_ text: Substring) throws(PostgresLocationError) -> (String, Int) {
        var hostPart = text
        var port = 5432
        if let colon = text.lastIndex(of: ":"), !text.hasSuffix("]") {
            guard let number = Int(text[text.index(after: colon)...]), (1...65535).contains(number) else {
                throw .badPort(String(text[text.index(after: colon)...]))
            }
            port = number
            hostPart = text[..<colon]
        }
        let host = hostPart.isEmpty ? "localhost" : decode(hostPart.hasPrefix("[") ? hostPart.dropFirst().dropLast() : hostPart)
        return (host, port)
    }

    /// The first server's host, port and password (the only one's, for a single-host URL).
    public var host: String { endpoints[0].host }
    public var port: Int { endpoints[0].port }
    public var password: String? { endpoints[0].password }

    /// This location narrowed to one of its servers: what a connection reached.
    public func reaching(_ endpoint: Endpoint) -> PostgresLocation {
        var location = self
        location.endpoints = [endpoint]
        return location
    }

    /// The URL without its password, for messages and logs.
    public var description: String {
        "postgres://\(user)@\(endpoints.map(\.description).joined(separator: ","))/\(database)"
    }

    /// `%XX` escapes decoded, as URLs carry `@`, `:` or `/` in a user name or password.
    private static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `url` with its password hidden: whatever follows the user name's `:` up to the last `@`.
    /// A mistyped scheme (`postgresql:/…`) is no reason to echo a password.
    static func redacted(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@") else { return url }
        var start = url.range(of: "://")?.upperBound ?? url.firstIndex(of: ":").map { url.index(after: $0) } ?? url.startIndex
        while start < at, url[start] == "/" { start = url.index(after: start) }
        guard start < at, let colon = url[start..<at].firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}

/// A database URL that cannot be used, said with what is wrong (never with the password).
public enum PostgresLocationError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAURL(String)
    case badTargetSession(String)
    case badPort(String)
    case badTLSMode(String)
    case badTimeout(String)

    public var description: String {
        switch self {
        case .notAURL(let text): "\(PostgresLocation.redacted(text)) is not a postgres:// URL"
        case .badTargetSession(let value): "target_session_attrs=\(value) is not one of any, read-write, primary"
        case .badPort(let port): "the port '\(port)' in the database URL is not a number from 1 to 65535"
        case .badTLSMode(let mode): "sslmode=\(mode) is not one of disable, prefer, require, verify-full"
        case .badTimeout(let value): "connect_timeout=\(value) is not a whole number of seconds"
        }
    }
}

/// libpq's password file: lines of `host:port:database:user:password`, `*` matching anything,
/// `\:` and `\\` escaping. As libpq does, a file others can read is ignored.
struct PassFile {
    let lines: [[String]]

    init?(environment: [String: String]) {
        guard let path = environment["PGPASSFILE"] ?? environment["HOME"].map({ $0 + "/.pgpass" }) else { return nil }
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & 0o077 == 0,
            let data = FileManager.default.contents(atPath: path)
        else { return nil }
        lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("#") }.map(Self.fields)
    }

    func password(host: String, port: Int, database: String, user: String) -> String? {
        let wanted = [host, String(port), database, user]
        return lines.first { fields in
            fields.count == 5 && zip(fields, wanted).allSatisfy { $0 == "*" || $0 == $1 }
        }?[4]
    }

    private static func fields(_ line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
