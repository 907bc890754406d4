/// What sort of failure an error is; the CLI turns each into its documented exit code.
public enum FailureKind: Sendable, Equatable {
    /// The command was used wrongly (bad option values, illegal state transition).
    case usage
    /// Input data is bad: a CSV row, a file that is not a database, a failed consistency check.
    case badInput
    /// An input file or the database does not exist.
    case inputMissing
    /// The SMS or email gateway cannot be reached.
    case gatewayUnavailable
    /// The database server cannot be reached (PostgreSQL); an SQLite file is never this.
    case databaseUnavailable
    /// A bug or an unexpected system failure.
    case `internal`
    /// The database is locked by another process for longer than the busy timeout.
    case busy
    /// The setup is wrong: permissions, a database newer than the binary, a bad setting.
    case configuration
}

/// An error the service reports to people: what went wrong and where, and what to do about it.
public protocol LifelineFailure: Error, CustomStringConvertible {
    /// The failure's kind, which decides the exit code.
    var kind: FailureKind { get }
    /// What went wrong and where (file:line, user, column, path), in one sentence.
    var message: String { get }
    /// What to do about it, when there is something to do.
    var remedy: String? { get }
}

extension LifelineFailure {
    public var description: String {
        remedy.map { "\(message) — \($0)" } ?? message
    }
}
