import CSQLite
import Glibc

/// An error reported by SQLite: its extended result code, its message and the statement text.
///
/// Bound values are never part of the error: they can be personal data (emails, numbers).
public struct SQLiteError: SQLEngineError, Sendable, Equatable {
    /// The extended result code.
    public let resultCode: SQLiteResultCode
    /// SQLite's message (`sqlite3_errmsg`), or ours when the failure is the wrapper's.
    public let message: String
    /// The statement that failed, when there was one.
    public let sql: String?
    /// The file could not be opened because the process (or the system) has no file
    /// descriptors left: a passing overload, not a missing or broken database.
    public let isOutOfDescriptors: Bool

    public init(resultCode: SQLiteResultCode, message: String, sql: String? = nil, isOutOfDescriptors: Bool = false) {
        self.resultCode = resultCode
        self.message = message
        self.sql = sql
        self.isOutOfDescriptors = isOutOfDescriptors
    }

    /// Reads the last error of a connection handle.
    init(handle: OpaquePointer?, code: Int32, sql: String? = nil) {
        let extended = handle.map { sqlite3_extended_errcode($0) } ?? code
        // sqlite3_extended_errcode can lag behind when the code came from a step on another
        // statement; keep the code we were given when its primary differs.
        let resolved = (extended & 0xFF) == (code & 0xFF) ? extended : code
        let message = handle.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        if (resolved & 0xFF) == SQLITE_CANTOPEN, Self.descriptorsExhausted() {
            self.init(
                resultCode: SQLiteResultCode(rawValue: resolved), message: "\(message): too many open files", sql: sql,
                isOutOfDescriptors: true)
            return
        }
        self.init(resultCode: SQLiteResultCode(rawValue: resolved), message: message, sql: sql)
    }

    /// SQLite says only "unable to open database file", for the database, its WAL or its
    /// shared memory alike; a probe tells whether the cause is that no descriptor is left (a
    /// passing overload) rather than anything wrong with the files.
    private static func descriptorsExhausted() -> Bool {
        let probe = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let failure = errno
        if probe >= 0 {
            close(probe)
            return false
        }
        return failure == EMFILE || failure == ENFILE
    }

    /// A constraint (unique, foreign key, check, not null, trigger) was violated.
    public var isConstraintViolation: Bool { SQLiteResultCode.SQLITE_CONSTRAINT ~= resultCode }
    /// Another connection holds the lock for longer than the busy timeout.
    public var isBusy: Bool {
        SQLiteResultCode.SQLITE_BUSY ~= resultCode || SQLiteResultCode.SQLITE_LOCKED ~= resultCode
    }
    /// The file is not an SQLite database (or is encrypted, or corrupt beyond its header).
    public var isNotADatabase: Bool {
        SQLiteResultCode.SQLITE_NOTADB ~= resultCode || SQLiteResultCode.SQLITE_CORRUPT ~= resultCode
    }
    /// The database, or the folder that must hold its journal, cannot be written.
    public var isReadOnly: Bool {
        SQLiteResultCode.SQLITE_READONLY ~= resultCode || SQLiteResultCode.SQLITE_PERM ~= resultCode
    }

    public var description: String {
        var text = "SQLite error \(resultCode.rawValue) (\(resultCode)): \(message)"
        if let sql { text += " — in statement: \(sql)" }
        return text
    }
}
