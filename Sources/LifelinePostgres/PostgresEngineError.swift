import LifelineStore
import PostgresNIO

/// An error from PostgreSQL or from reaching it, in the store's engine-neutral terms.
///
/// The server's SQLSTATE decides what it means: class 23 is a constraint, 40001/40P01/55P03 a
/// conflict with another transaction worth trying again, 25006 a read-only server (a standby).
public struct PostgresEngineError: SQLEngineError, Sendable, Equatable {
    /// The server's SQLSTATE, or nil when the server never answered (connection, TLS, sign-in).
    public let sqlState: String?
    public let message: String
    public let sql: String?
    /// The server could not be reached, or the connection was lost.
    public let isUnreachable: Bool

    public init(sqlState: String?, message: String, sql: String?, isUnreachable: Bool = false) {
        self.sqlState = sqlState
        self.message = message
        self.sql = sql
        self.isUnreachable = isUnreachable
    }

    /// Reads what postgres-nio reported; bound values are never part of it.
    init(_ error: any Error, sql: String?, location: PostgresLocation) {
        guard let error = error as? PSQLError else {
            self.init(sqlState: nil, message: "\(location): \(error)", sql: sql, isUnreachable: true)
            return
        }
        if let info = error.serverInfo, let state = info[.sqlState] {
            let detail = info[.detail].map { " (\($0))" } ?? ""
            self.init(sqlState: state, message: (info[.message] ?? "error \(state)") + detail, sql: sql)
            return
        }
        let cause = error.underlying.map { "\($0)" } ?? "\(error.code)"
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            self.init(sqlState: nil, message: "cannot reach \(location.host):\(location.port): \(cause)", sql: sql, isUnreachable: true)
        case .sslUnsupported:
            self.init(sqlState: nil, message: "\(location.host):\(location.port) does not offer TLS, which sslmode=\(location.tlsMode.rawValue) requires", sql: sql, isUnreachable: true)
        default:
            self.init(sqlState: nil, message: "\(location): \(error.code): \(cause)", sql: sql)
        }
    }

    /// A statement that got no answer within the connection's answer timeout: the connection
    /// was given up as lost.
    static func unanswered(sql: String, location: PostgresLocation, after timeout: Duration) -> PostgresEngineError {
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        return PostgresEngineError(
            sqlState: nil, message: "\(location.host):\(location.port) did not answer within \(milliseconds) ms",
            sql: sql, isUnreachable: true)
    }

    public var isConstraintViolation: Bool { sqlState?.hasPrefix("23") ?? false }
    public var isBusy: Bool { ["40001", "40P01", "55P03"].contains(sqlState ?? "") }
    public var isReadOnly: Bool { sqlState == "25006" }
    /// This server can no longer be the one Lifeline writes to: it cannot be reached, it
    /// refuses writes (a primary demoted to standby, 25006), or it is shutting down or
    /// starting up (class 57P) or dropped the connection (class 08). The connection is given up
    /// and the next one looks for the server that takes writes now.
    public var meansServerGone: Bool {
        guard !isUnreachable else { return true }
        guard let sqlState else { return false }
        return isReadOnly || sqlState.hasPrefix("57P") || sqlState.hasPrefix("08")
    }
    /// serialization_failure or deadlock_detected: PostgreSQL rolled the transaction back and
    /// asks for it to be run again.
    public var isSerializationConflict: Bool { sqlState == "40001" || sqlState == "40P01" }
    /// The server refused the sign-in (a wrong password, or no such role).
    public var isSignInRefused: Bool { sqlState == "28P01" || sqlState == "28000" }
    /// SQLSTATE class 22: a value the server cannot take (text holding U+0000, which
    /// PostgreSQL's text cannot store; a number out of range).
    public var isDataException: Bool { sqlState?.hasPrefix("22") ?? false }
    /// The database named in the URL does not exist on the server.
    public var isMissingDatabase: Bool { sqlState == "3D000" }

    public var description: String {
        "PostgreSQL error\(sqlState.map { " \($0)" } ?? ""): \(message)" + (sql.map { " — in statement: \($0)" } ?? "")
    }
}
