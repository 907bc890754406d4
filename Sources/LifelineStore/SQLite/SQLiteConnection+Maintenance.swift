import FoundationEssentials
import Glibc

/// One row of `PRAGMA foreign_key_check`.
public struct SQLiteForeignKeyViolation: Sendable, Hashable {
    public let table: String
    public let rowID: Int64?
    public let parentTable: String
}

extension SQLiteConnection {
    /// Writes a consistent copy of the database to `path` (`VACUUM INTO`), created with mode 0600.
    ///
    /// The copy is a complete, compacted database that opens on its own; `path` must not exist.
    public func backup(to path: String) throws {
        // VACUUM INTO accepts an empty existing file; creating it first sets its permissions.
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode_t(configuration.fileMode))
        guard descriptor >= 0 else {
            throw MigrationError.backupFailed(path: path, reason: String(cString: strerror(errno)))
        }
        Glibc.close(descriptor)
        do {
            try prepareStatement("VACUUM INTO ?").bindingAndRunning(path)
        } catch let error as SQLiteError {
            try? FileManager.default.removeItem(atPath: path)
            throw MigrationError.backupFailed(path: path, reason: error.message)
        }
    }

    /// The problems `PRAGMA integrity_check` reports (empty when the file is sound).
    public func integrityProblems() throws -> [String] {
        let messages = try prepare("PRAGMA integrity_check").map { $0.string(at: 0) }
        return messages == ["ok"] ? [] : messages
    }

    /// The rows whose foreign keys point at nothing.
    public func foreignKeyViolations() throws -> [SQLiteForeignKeyViolation] {
        try prepare("PRAGMA foreign_key_check").map { row in
            SQLiteForeignKeyViolation(
                table: row.string(at: 0),
                rowID: row.isNull(at: 1) ? nil : row.int64(at: 1),
                parentTable: row.string(at: 2))
        }
    }

    /// Whether the database holds any schema object (tables, indexes...) at all.
    public func hasSchema() throws -> Bool {
        try queryFirst("SELECT count(*) FROM sqlite_schema") { $0.int64(at: 0) } ?? 0 > 0
    }
}

extension SQLiteStatement {
    /// Binds positional arguments and runs the statement once.
    func bindingAndRunning(_ arguments: any SQLBindable...) throws {
        defer { reset() }
        try bind(arguments)
        try run()
    }
}
