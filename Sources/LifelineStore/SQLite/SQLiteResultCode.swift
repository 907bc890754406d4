import CSQLite

/// An SQLite result code, primary or extended, keeping SQLite's own names.
///
/// Extended codes carry their primary code in the low byte, so `SQLITE_CONSTRAINT`
/// matches `SQLITE_CONSTRAINT_UNIQUE` in a `catch` or `switch` pattern.
public struct SQLiteResultCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// The primary result code (the low byte of an extended code).
    public var primary: SQLiteResultCode {
        SQLiteResultCode(rawValue: rawValue & 0xFF)
    }

    /// Whether this is a primary code (then it matches all of its extended codes).
    public var isPrimary: Bool { rawValue & ~0xFF == 0 }

    /// SQLite's English description of the code.
    public var description: String {
        String(cString: sqlite3_errstr(rawValue))
    }

    /// Matches a primary code against any of its extended codes, and an extended code exactly.
    public static func ~= (pattern: SQLiteResultCode, code: SQLiteResultCode) -> Bool {
        pattern.isPrimary ? pattern == code.primary : pattern == code
    }

    /// Lets `catch SQLiteResultCode.SQLITE_BUSY` match a thrown ``SQLiteError``.
    public static func ~= (pattern: SQLiteResultCode, error: any Error) -> Bool {
        guard let error = error as? SQLiteError else { return false }
        return pattern ~= error.resultCode
    }

    private static func extended(_ primary: Int32, _ detail: Int32) -> SQLiteResultCode {
        // The extended-code macros are expressions Swift does not import: define them here.
        SQLiteResultCode(rawValue: primary | (detail << 8))
    }

    public static let SQLITE_OK = SQLiteResultCode(rawValue: CSQLite.SQLITE_OK)
    public static let SQLITE_ERROR = SQLiteResultCode(rawValue: CSQLite.SQLITE_ERROR)
    public static let SQLITE_INTERNAL = SQLiteResultCode(rawValue: CSQLite.SQLITE_INTERNAL)
    public static let SQLITE_PERM = SQLiteResultCode(rawValue: CSQLite.SQLITE_PERM)
    public static let SQLITE_ABORT = SQLiteResultCode(rawValue: CSQLite.SQLITE_ABORT)
    public static let SQLITE_BUSY = SQLiteResultCode(rawValue: CSQLite.SQLITE_BUSY)
    public static let SQLITE_LOCKED = SQLiteResultCode(rawValue: CSQLite.SQLITE_LOCKED)
    public static let SQLITE_NOMEM = SQLiteResultCode(rawValue: CSQLite.SQLITE_NOMEM)
    public static let SQLITE_READONLY = SQLiteResultCode(rawValue: CSQLite.SQLITE_READONLY)
    public static let SQLITE_INTERRUPT = SQLiteResultCode(rawValue: CSQLite.SQLITE_INTERRUPT)
    public static let SQLITE_IOERR = SQLiteResultCode(rawValue: CSQLite.SQLITE_IOERR)
    public static let SQLITE_CORRUPT = SQLiteResultCode(rawValue: CSQLite.SQLITE_CORRUPT)
    public static let SQLITE_FULL = SQLiteResultCode(rawValue: CSQLite.SQLITE_FULL)
    public static let SQLITE_CANTOPEN = SQLiteResultCode(rawValue: CSQLite.SQLITE_CANTOPEN)
    public static let SQLITE_SCHEMA = SQLiteResultCode(rawValue: CSQLite.SQLITE_SCHEMA)
    public static let SQLITE_TOOBIG = SQLiteResultCode(rawValue: CSQLite.SQLITE_TOOBIG)
    public static let SQLITE_CONSTRAINT = SQLiteResultCode(rawValue: CSQLite.SQLITE_CONSTRAINT)
    public static let SQLITE_MISMATCH = SQLiteResultCode(rawValue: CSQLite.SQLITE_MISMATCH)
    public static let SQLITE_MISUSE = SQLiteResultCode(rawValue: CSQLite.SQLITE_MISUSE)
    public static let SQLITE_AUTH = SQLiteResultCode(rawValue: CSQLite.SQLITE_AUTH)
    public static let SQLITE_RANGE = SQLiteResultCode(rawValue: CSQLite.SQLITE_RANGE)
    public static let SQLITE_NOTADB = SQLiteResultCode(rawValue: CSQLite.SQLITE_NOTADB)
    public static let SQLITE_ROW = SQLiteResultCode(rawValue: CSQLite.SQLITE_ROW)
    public static let SQLITE_DONE = SQLiteResultCode(rawValue: CSQLite.SQLITE_DONE)

    public static let SQLITE_BUSY_RECOVERY = extended(CSQLite.SQLITE_BUSY, 1)
    public static let SQLITE_BUSY_SNAPSHOT = extended(CSQLite.SQLITE_BUSY, 2)
    public static let SQLITE_BUSY_TIMEOUT = extended(CSQLite.SQLITE_BUSY, 3)
    public static let SQLITE_READONLY_RECOVERY = extended(CSQLite.SQLITE_READONLY, 1)
    public static let SQLITE_READONLY_CANTLOCK = extended(CSQLite.SQLITE_READONLY, 2)
    public static let SQLITE_READONLY_ROLLBACK = extended(CSQLite.SQLITE_READONLY, 3)
    public static let SQLITE_READONLY_DBMOVED = extended(CSQLite.SQLITE_READONLY, 4)
    public static let SQLITE_READONLY_CANTINIT = extended(CSQLite.SQLITE_READONLY, 5)
    public static let SQLITE_READONLY_DIRECTORY = extended(CSQLite.SQLITE_READONLY, 6)
    public static let SQLITE_CANTOPEN_ISDIR = extended(CSQLite.SQLITE_CANTOPEN, 2)
    public static let SQLITE_CONSTRAINT_CHECK = extended(CSQLite.SQLITE_CONSTRAINT, 1)
    public static let SQLITE_CONSTRAINT_FOREIGNKEY = extended(CSQLite.SQLITE_CONSTRAINT, 3)
    public static let SQLITE_CONSTRAINT_NOTNULL = extended(CSQLite.SQLITE_CONSTRAINT, 5)
    public static let SQLITE_CONSTRAINT_PRIMARYKEY = extended(CSQLite.SQLITE_CONSTRAINT, 6)
    public static let SQLITE_CONSTRAINT_TRIGGER = extended(CSQLite.SQLITE_CONSTRAINT, 7)
    public static let SQLITE_CONSTRAINT_UNIQUE = extended(CSQLite.SQLITE_CONSTRAINT, 8)
    public static let SQLITE_CONSTRAINT_DATATYPE = extended(CSQLite.SQLITE_CONSTRAINT, 12)
}
