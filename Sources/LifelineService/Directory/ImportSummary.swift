/// One rejected row: where, why, and its fields as read (for the reject file).
public struct ImportRejection: Sendable, Equatable {
    /// The physical line where the record starts.
    public let line: Int
    public let reason: String
    public let fields: [[UInt8]]
}

/// What became of an import's changes.
public enum ImportOutcome: String, Sendable, Equatable {
    /// Committed.
    case written
    /// Every row was as stored: nothing to commit.
    case nothingToWrite = "nothing_to_write"
    /// `--dry-run`: the counts are what the import would do.
    case dryRun = "dry_run"
    /// Rows were rejected and partial imports were not allowed: the counts are what it would have done.
    case refused

    /// The outcome in words, for the first line of a summary.
    public var explanation: String {
        switch self {
        case .written: "written"
        case .nothingToWrite: "nothing to write: every row is as stored"
        case .dryRun: "dry run: nothing was written; the counts are what the import would do"
        case .refused: "refused: nothing was written; the counts are what the import would have done"
        }
    }
}

/// What an import did (or, for a dry run or a refused import, would have done).
public struct ImportSummary: Sendable, Equatable {
    public var rows = 0
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    public var disabled = 0
    public var reEnabled = 0
    public var rejected = 0
    public var attributesDefined = 0
    public var groupsCreated = 0
    public var membershipsAdded = 0
    public var membershipsRemoved = 0
    /// Users who had a number messages are sent to and, by this import, no longer have one.
    public var numbersLost = 0
    /// SMS values in the file (of new or changed users) that cannot be sent to: invalid, or not
    /// naming their country.
    public var numbersUndeliverable = 0
    /// Console accounts among ``numbersLost``: they cannot sign in until they have a number again.
    public var consoleAccountsLosingNumber: [String] = []
    /// Whether the file has a name column; without one, `{name}` in messages is the email.
    public var hasNameColumn = true
    public var seconds = 0.0
    public var outcome = ImportOutcome.refused
    /// Whether changes were committed.
    public var isWritten: Bool { outcome == .written }
    /// Whether the import changes anything in the directory.
    var hasChanges: Bool {
        created + updated + disabled + reEnabled + attributesDefined + groupsCreated + membershipsAdded
            + membershipsRemoved > 0
    }
    /// The first rejections, in file order (all of them go to the reject file).
    public var firstRejections: [ImportRejection] = []

    public init() {}

    /// The counts, named as every report names them (the CLI's table, the HTTP answer).
    public var counts: [(name: String, value: Int)] {
        [
            ("rows", rows), ("created", created), ("updated", updated), ("unchanged", unchanged), ("disabled", disabled),
            ("re_enabled", reEnabled), ("rejected", rejected), ("attributes_defined", attributesDefined),
            ("groups_created", groupsCreated), ("memberships_added", membershipsAdded), ("memberships_removed", membershipsRemoved),
            ("numbers_lost", numbersLost), ("numbers_undeliverable", numbersUndeliverable),
        ]
    }

    /// What the admin should know before trusting the result, most serious first: every
    /// report of an import (the CLI, the API, the console) shows these.
    public var warnings: [ImportWarning] {
        var warnings: [ImportWarning] = []
        let lost = isWritten ? "lost" : "would lose"
        if !consoleAccountsLosingNumber.isEmpty {
            let names = consoleAccountsLosingNumber.joined(separator: ", ")
            warnings.append(
                ImportWarning(
                    code: "console_account_number_lost", count: consoleAccountsLosingNumber.count,
                    message: "console \(Self.noun(consoleAccountsLosingNumber.count, "account", "accounts")) \(lost) "
                        + "the SMS number their sign-in code goes to, so cannot sign in until it is fixed: \(names)",
                    emails: consoleAccountsLosingNumber))
        }
        if numbersLost > 0 {
            warnings.append(
                ImportWarning(
                    code: "numbers_lost", count: numbersLost,
                    message: "\(numbersLost) \(Self.noun(numbersLost, "user", "users")) \(lost) the number alerts are "
                        + "sent to; `lifeline sms verify-numbers` says why for each"))
        }
        if numbersUndeliverable > 0 {
            warnings.append(
                ImportWarning(
                    code: "numbers_undeliverable", count: numbersUndeliverable,
                    message: "\(numbersUndeliverable) SMS \(Self.noun(numbersUndeliverable, "value", "values")) in the file "
                        + "cannot be sent to (invalid, or national with no default country set); "
                        + "`lifeline sms verify-numbers` says why for each"))
        }
        if !hasNameColumn && created > 0 {
            warnings.append(
                ImportWarning(
                    code: "no_name_column", count: created,
                    message: "the file has no name column: {name} in messages will be each new user's email "
                        + "(map one with --map \"Column=name\")"))
        }
        return warnings
    }

    private static func noun(_ count: Int, _ one: String, _ many: String) -> String { count == 1 ? one : many }
}

/// One thing an import's summary warns of.
public struct ImportWarning: Sendable, Equatable {
    /// A stable name for scripts.
    public let code: String
    public let count: Int
    public let message: String
    /// The users named, when the warning names them (console accounts).
    public var emails: [String] = []
}

/// Why an import could not run, or was refused.
public enum ImportFailure: LifelineFailure, Equatable {
    case cannotOpen(path: String, reason: String, isMissing: Bool)
    case readFailed(path: String, reason: String)
    case emptyFile(path: String)
    case missingEmailColumn(path: String, columns: [String])
    case duplicateColumn(path: String, name: String, columns: [Int])
    case emptyColumnName(path: String, column: Int)
    /// A column map entry that is not `HEADER=WHAT`.
    case badColumnMap(entry: String)
    case rejectFileUnwritable(path: String, reason: String)
    /// The file is not UTF-8 CSV text; what it looks like instead.
    case notUTF8CSV(path: String, looksLike: String)
    /// All-or-nothing import with rejected rows: nothing was written.
    case rowsRejected(path: String, summary: ImportSummary)
    /// Between staging and the merge, someone created a user, group or attribute the file also
    /// creates (or deleted a user it changes): nothing was written.
    case directoryChanged(path: String, table: String)

    public var kind: FailureKind {
        switch self {
        case .cannotOpen(_, _, let isMissing) where isMissing: .inputMissing
        case .rejectFileUnwritable: .configuration
        case .badColumnMap: .usage
        case .directoryChanged: .busy
        default: .badInput
        }
    }

    public var message: String {
        switch self {
        case .cannotOpen(let path, let reason, _): "cannot open \(path): \(reason)"
        case .readFailed(let path, let reason): "reading \(path) failed: \(reason); nothing was written"
        case .emptyFile(let path): "\(path) is empty: it needs a header row with an email column"
        case .missingEmailColumn(let path, let columns):
            "\(path):1: the header has no email column (it has: \(columns.joined(separator: ", ")))"
        case .duplicateColumn(let path, let name, let columns):
            "\(path):1: column '\(name)' appears twice (columns \(columns.map(String.init).joined(separator: " and ")))"
        case .emptyColumnName(let path, let column): "\(path):1: column \(column) has no name"
        case .badColumnMap(let entry): "a column map entry is HEADER=WHAT, such as \"Work Mobile=mobile\", not '\(entry)'"
        case .rejectFileUnwritable(let path, let reason): "cannot write the reject file \(path): \(reason)"
        case .notUTF8CSV(let path, let look): "\(path) is not UTF-8 CSV text: it looks like \(look); nothing was written"
        case .rowsRejected(let path, let summary):
            "\(path): \(summary.rejected) row(s) rejected, so nothing was written"
        case .directoryChanged(let path, let table):
            "\(path): the directory's \(table) changed while the file was being read, so nothing was written"
        }
    }

    public var remedy: String? {
        switch self {
        case .rowsRejected: "fix them, or pass --allow-partial to write the good rows (--reject-file PATH lists them all)"
        case .missingEmailColumn:
            "name the email column one of \(ImportHeader.aliases[.email, default: []].joined(separator: ", ")) (case, spaces, _ and - "
                + "do not matter), or map yours: --map \"Work Email=email\" (any column can be mapped, such as --map \"Work Mobile=mobile\")"
        case .directoryChanged: "run the import again: it reads the directory as it is now"
        case .duplicateColumn, .emptyColumnName: "fix the header row"
        case .notUTF8CSV:
            "export the directory as CSV in UTF-8 (in Excel: File > Save As > CSV UTF-8 (Comma delimited)) and import that file"
        default: nil
        }
    }
}
