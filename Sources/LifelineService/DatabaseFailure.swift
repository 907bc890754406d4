import LifelinePostgres
import LifelineStore

/// A database problem, told in terms of the file and what to do.
public struct DatabaseFailure: LifelineFailure {
    public let kind: FailureKind
    public let message: String
    public let remedy: String?

    init(kind: FailureKind, message: String, remedy: String?) {
        self.kind = kind
        self.message = message
        self.remedy = remedy
    }

    /// Explains an engine's error met while working on the database at `path`.
    init(_ error: any SQLEngineError, path: String, busyTimeout: Duration) {
        let sqlite = error as? SQLiteError
        let server = error as? PostgresEngineError
        if let server, server.meansServerGone {
            // Unreachable, or no longer the server that takes writes (a failover under way):
            // the next connection looks for the one that does.
            self.init(
                kind: .databaseUnavailable, message: "the database server is unavailable: \(server.message)",
                remedy: "check that PostgreSQL is running and that --database (or LIFELINE_DATABASE) names its host and port")
        } else if let server, server.isSignInRefused {
            self.init(
                kind: .configuration, message: "\(path) refused the sign-in: \(server.message)",
                remedy: "give the password in the URL, PGPASSWORD or a passfile (PGPASSFILE, ~/.pgpass)")
        } else if let server, server.isMissingDatabase {
            self.init(
                kind: .inputMissing, message: "\(server.message) on \(path)",
                remedy: "create it first (createdb), then run `lifeline migrate`")
        } else if error.isSerializationConflict {
            self.init(
                kind: .busy,
                message: "the database \(path) refused this change \(HeldConnection.conflictAttempts) times: it conflicted with changes other servers made at the same moment",
                remedy: "try again")
        } else if error.isBusy {
            self.init(busy: path, busyTimeout: busyTimeout)
        } else if let sqlite, sqlite.isNotADatabase {
            self.init(
                kind: .badInput,
                message: "\(path) is not a usable SQLite database (\(error.message))",
                remedy: "check --database or LIFELINE_DATABASE; restore from a backup if this was a Lifeline database")
        } else if error.isReadOnly {
            self.init(
                kind: .configuration,
                message: "the database \(path) is read-only (\(error.message))",
                remedy: "give this user write permission on the file and its folder")
        } else if let sqlite, sqlite.isOutOfDescriptors {
            self.init(
                kind: .busy, message: error.message,
                remedy: "try again shortly; raise the open-file limit (ulimit -n, LimitNOFILE=) if it recurs")
        } else if let sqlite, SQLiteResultCode.SQLITE_CANTOPEN ~= sqlite.resultCode {
            self.init(
                kind: .inputMissing, message: error.message,
                remedy: "check --database or LIFELINE_DATABASE; `lifeline migrate` creates a new database")
        } else if let server, server.isDataException {
            // A value PostgreSQL cannot hold (text with U+0000, a number out of range): the
            // input's fault, not the database's.
            self.init(kind: .badInput, message: "the database cannot hold a value given: \(server.message)", remedy: nil)
        } else if error.isConstraintViolation {
            self.init(kind: .badInput, message: "the database refused a change: \(error.message)", remedy: nil)
        } else {
            self.init(
                kind: .internal,
                message: "database error on \(path): \(error.message)" + Self.details(
                    [sqlite.map { "code \($0.resultCode.rawValue)" }, error.sql.map { "statement: \($0)" }]),
                remedy: "run `lifeline doctor`; report it if it persists")
        }
    }

    /// Another process held the lock for longer than this one waits.
    private init(busy path: String, busyTimeout: Duration) {
        self.init(
            kind: .busy,
            message: "the database \(path) is busy: another process held its lock for more than \(busyTimeout.wholeMilliseconds) ms",
            remedy: "try again, or wait longer with --busy-timeout MILLISECONDS")
    }

    /// " [a, b]" of the details there are, or nothing.
    private static func details(_ parts: [String?]) -> String {
        let present = parts.compactMap { $0 }
        return present.isEmpty ? "" : " [" + present.joined(separator: ", ") + "]"
    }

    /// Explains a migrator's refusal or failure for the database at `path`.
    init(_ error: MigrationError, path: String, busyTimeout: Duration) {
        switch error {
        case .migrationFailed(_, _, let underlying) where underlying.isBusy:
            self.init(busy: path, busyTimeout: busyTimeout)
        case .migrationFailed:
            self.init(
                kind: .internal, message: "\(path): \(error); the database is unchanged at its previous version",
                remedy: "report this with the message above")
        case .checksumMismatch, .unknownMigration:
            self.init(
                kind: .configuration, message: "\(path): \(error)",
                remedy: "use the lifeline binary that migrated this database; never edit an applied migration")
        case .databaseNewer:
            self.init(
                kind: .configuration, message: "\(path): \(error)",
                remedy: "use a lifeline binary at least as new as the one that migrated it")
        case .backupFailed:
            self.init(
                kind: .configuration, message: "\(error); nothing was migrated",
                remedy: "make the database's folder writable and check free space, or pass --no-backup")
        case .duplicateVersion:
            self.init(kind: .internal, message: "this binary was built with \(error)", remedy: nil)
        case .encodingNotUTF8:
            self.init(
                kind: .configuration, message: "\(path): \(error); nothing was migrated",
                remedy: "create the database in UTF-8: createdb -E UTF8 -T template0 NAME (or initdb with -E UTF8)")
        case .libraryTooOld:
            self.init(
                kind: .configuration, message: "\(error); nothing was opened or changed",
                remedy: "install a newer libsqlite3 (Debian 12 and Ubuntu 22.04 ship one), or run Lifeline where there is one")
        }
    }
}

extension DatabaseSettings {
    /// Runs `body`, turning store errors into failures that name this database.
    func translatingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as any SQLEngineError {
            throw DatabaseFailure(error, path: path, busyTimeout: busyTimeout)
        } catch let error as MigrationError {
            throw DatabaseFailure(error, path: path, busyTimeout: busyTimeout)
        }
    }

    /// The same, for async work.
    func translatingErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as any SQLEngineError {
            throw DatabaseFailure(error, path: path, busyTimeout: busyTimeout)
        } catch let error as MigrationError {
            throw DatabaseFailure(error, path: path, busyTimeout: busyTimeout)
        }
    }
}
