import FoundationEssentials
import Glibc
import LifelinePostgres
import LifelineStore

/// One check `lifeline doctor` ran.
public struct HealthCheck: Sendable, Equatable, Codable {
    public let name: String
    public let isPassing: Bool
    public let detail: String
}

/// What `lifeline doctor` found.
public struct HealthReport: Sendable {
    public let databasePath: String
    public let schemaVersion: Int
    public let checks: [HealthCheck]
    /// Whether every check passed.
    public var isHealthy: Bool { checks.allSatisfy(\.isPassing) }
}

/// Raised after the report when a check fails, so the CLI can print the report and still fail.
public struct HealthCheckFailure: LifelineFailure {
    public let failedChecks: [String]

    public init(failedChecks: [String]) {
        self.failedChecks = failedChecks
    }

    public var kind: FailureKind { .badInput }
    public var message: String { "doctor found problems: \(failedChecks.joined(separator: ", "))" }
    public var remedy: String? { "see the report above" }
}

extension DatabaseMaintenance {
    /// Checks the database: file permissions, schema version and migration checksums, SQLite's
    /// integrity check and foreign keys. Opens an existing database only.
    public func diagnose() throws -> HealthReport {
        try settings.translatingErrors {
            let connection = try settings.open(createIfMissing: false)
            defer { connection.close() }
            let migrator = try settings.makeMigrator()
            let status = try migrator.status(of: connection)
            // Some checks apply to one engine only: a file's permissions and SQLite's own
            // integrity and foreign-key checks (PostgreSQL enforces foreign keys always); a
            // server that is a standby, which refuses every write.
            let file = connection as? SQLiteConnection
            var checks: [HealthCheck] = (file == nil ? [] : [filePermissionsCheck()]) + [keyFileCheck()].compactMap { $0 }
            checks.append(
                HealthCheck(
                    name: "schema version",
                    isPassing: status.pending.isEmpty && status.currentVersion == migrator.latestVersion,
                    detail: status.pending.isEmpty
                        ? "at version \(status.currentVersion) of \(migrator.latestVersion)"
                        : "at version \(status.currentVersion); \(status.pending.count) migration(s) pending: run `lifeline migrate`"
                ))
            checks.append(
                HealthCheck(
                    name: "migration checksums",
                    isPassing: status.problems.isEmpty,
                    detail: status.problems.isEmpty
                        ? "\(status.applied.count) applied migration(s) match the binary"
                        : status.problems.map(\.description).joined(separator: "; ")))
            if let file { checks += try fileChecks(file) }
            if let server = connection as? PostgresSQLConnection {
                let standby = try server.isInRecovery()
                checks.append(
                    HealthCheck(
                        name: "writable primary", isPassing: !standby,
                        detail: standby ? "the server is a standby (in recovery): it refuses writes" : "accepts writes"))
            }
            if status.pending.isEmpty && status.problems.isEmpty {
                let drift = try ConsentLedger(connection: connection).inconsistencies()
                checks.append(
                    HealthCheck(
                        name: "consent current state", isPassing: drift.isEmpty,
                        detail: drift.isEmpty
                            ? "matches the ledger" : "differs from the ledger: " + drift.joined(separator: "; ")))
                let missing = try ConsentLedger(connection: connection).missingTriggers()
                checks.append(
                    HealthCheck(
                        name: "consent ledger protection", isPassing: missing.isEmpty,
                        detail: missing.isEmpty
                            ? "append-only triggers in place"
                            : "missing trigger(s) \(missing.joined(separator: ", ")): the ledger can be rewritten; restore from a backup"))
            }
            return HealthReport(databasePath: settings.path, schemaVersion: status.currentVersion, checks: checks)
        }
    }

    /// SQLite's integrity check and foreign-key check.
    private func fileChecks(_ connection: SQLiteConnection) throws -> [HealthCheck] {
        let integrity = try connection.integrityProblems()
        let violations = try connection.foreignKeyViolations()
        return [
            HealthCheck(
                name: "integrity check", isPassing: integrity.isEmpty,
                detail: integrity.isEmpty ? "ok" : integrity.prefix(5).joined(separator: "; ")),
            HealthCheck(
                name: "foreign keys", isPassing: violations.isEmpty,
                detail: violations.isEmpty
                    ? "ok"
                    : "\(violations.count) row(s) point at missing rows, first: "
                        + violations.prefix(3).map { "\($0.table) row \($0.rowID.map(String.init) ?? "?") → \($0.parentTable)" }
                        .joined(separator: ", ")),
        ]
    }

    private func filePermissionsCheck() -> HealthCheck {
        Self.ownerOnlyCheck(name: "file permissions", path: settings.path) ?? HealthCheck(
            name: "file permissions", isPassing: false, detail: "cannot read the file's mode")
    }

    /// The key file, when there is one: it holds the secret every code and sealed message depends on.
    private func keyFileCheck() -> HealthCheck? {
        environment.secret.keyFilePath.flatMap { Self.ownerOnlyCheck(name: "key file permissions", path: $0) }
    }

    /// Whether only the owner can read `path`; nil when it does not exist.
    private static func ownerOnlyCheck(name: String, path: String) -> HealthCheck? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let mode = info.st_mode
        let octal = String(mode & 0o777, radix: 8)
        return mode & 0o077 == 0
            ? HealthCheck(name: name, isPassing: true, detail: "mode \(octal), owner only")
            : HealthCheck(name: name, isPassing: false, detail: "mode \(octal) lets other users read it: run chmod 600 \(path)")
    }
}
