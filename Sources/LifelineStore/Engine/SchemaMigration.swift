import Crypto

/// One schema migration: a version, a name, its SQL and the SHA-256 of its text.
public struct SchemaMigration: Sendable, Hashable {
    /// The version it brings the schema to (the `NNNN` of `NNNN_name.sql`).
    public let version: Int
    /// The name after the version (`directory` in `0001_directory.sql`).
    public let name: String
    /// The file it came from, for messages.
    public let fileName: String
    /// The SQL, run as one script in one transaction.
    public let sql: String
    /// Lowercase hex SHA-256 of the SQL's UTF-8 bytes, recorded when applied.
    public let checksum: String

    /// A migration whose checksum is computed here, from `sql`.
    public init(version: Int, name: String, fileName: String? = nil, sql: String) {
        let hexDigits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        for byte in SHA256.hash(data: Array(sql.utf8)) {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0F)])
        }
        self.init(version: version, name: name, fileName: fileName, sql: sql, checksum: String(decoding: hex, as: UTF8.self))
    }

    /// A migration with the checksum the build computed: `LifelineSchema`'s embedded files carry
    /// it, so no command hashes the migrations at start-up (the tests check it against `SHA256`).
    public init(version: Int, name: String, fileName: String?, sql: String, checksum: String) {
        self.version = version
        self.name = name
        let digits = String(version)
        self.fileName = fileName ?? String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "_\(name).sql"
        self.sql = sql
        self.checksum = checksum
    }
}

extension SchemaMigration {
    /// A migration from a file the build embedded (`NNNN_name.sql`, its SHA-256 computed then).
    public init(embeddedFileNamed fileName: String, text: String, sha256: String) {
        let parts = fileName.dropLast(".sql".count).split(separator: "_", maxSplits: 1)
        self.init(version: Int(parts[0]) ?? 0, name: String(parts[1]), fileName: fileName, sql: text, checksum: sha256)
    }
}

/// A migration recorded as applied in a database.
public struct AppliedMigration: Sendable, Hashable {
    public let version: Int
    public let name: String
    public let checksum: String
    public let appliedAtMilliseconds: Int64
}

/// What an engine said when a migration's statement failed: its message, and whether the
/// cause was a lock held too long (worth trying again) rather than the SQL.
public struct MigrationFailureCause: Error, Sendable, Equatable {
    public let message: String
    public let isBusy: Bool

    public init(_ error: any SQLEngineError) {
        message = error.message
        isBusy = error.isBusy
    }
}

/// Why a migrator refused a database or a migration failed.
public enum MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Two migrations in the binary share a version.
    case duplicateVersion(Int, [String])
    /// An applied migration's file has been edited since it was applied.
    case checksumMismatch(version: Int, name: String, recorded: String, expected: String)
    /// The database records a migration this binary does not carry.
    case unknownMigration(version: Int, name: String)
    /// The database was migrated by a newer binary.
    case databaseNewer(databaseVersion: Int, binaryVersion: Int)
    /// A migration failed; the database stays at the version before it.
    case migrationFailed(fileName: String, statement: String?, underlying: MigrationFailureCause)
    /// The backup before migrating could not be written.
    case backupFailed(path: String, reason: String)
    /// The linked SQLite is older than the features the migrations use.
    case libraryTooOld(found: SQLiteLibraryVersion, needed: SQLiteLibraryVersion, features: String)
    /// The PostgreSQL database is not encoded in UTF-8 (a cluster made without a locale is
    /// SQL_ASCII), which the schema's collations and every name need.
    case encodingNotUTF8(found: String)

    public var description: String {
        switch self {
        case .duplicateVersion(let version, let files):
            "migrations \(files.joined(separator: " and ")) share version \(version)"
        case .checksumMismatch(let version, let name, let recorded, let expected):
            "applied migration \(version) (\(name)) has changed since it was applied "
                + "(recorded SHA-256 \(recorded.prefix(12))…, binary has \(expected.prefix(12))…)"
        case .unknownMigration(let version, let name):
            "the database has migration \(version) (\(name)) applied, which this binary does not know"
        case .databaseNewer(let databaseVersion, let binaryVersion):
            "the database schema is at version \(databaseVersion), newer than this binary (which knows up to \(binaryVersion))"
        case .migrationFailed(let fileName, let statement, let underlying):
            "migration \(fileName) failed"
                + (statement.map { " at statement: \($0.replacing("\n", with: " "))" } ?? "")
                + " — \(underlying.message)"
        case .backupFailed(let path, let reason):
            "could not write the backup \(path): \(reason)"
        case .libraryTooOld(let found, let needed, let features):
            "this system's SQLite library is \(found); Lifeline's schema needs \(needed) or newer (\(features))"
        case .encodingNotUTF8(let found):
            "the database's encoding is \(found); Lifeline's schema needs UTF8"
        }
    }
}
