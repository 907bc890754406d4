import LifelineStore
import LifelineVocabulary

/// Why a console role cannot be given or taken.
public enum ConsoleAccountFailure: LifelineFailure, Equatable {
    case notActive(email: String)
    case noValidNumber(email: String, status: SMSNumberStatus)
    case notGranted(email: String)

    public var kind: FailureKind {
        switch self {
        case .notActive, .noValidNumber: .badInput
        case .notGranted: .inputMissing
        }
    }

    public var message: String {
        switch self {
        case .notActive(let email): "\(email) is disabled in the directory; a console account must be an active user"
        case .noValidNumber(let email, let status):
            "\(email) has no valid SMS number (it is \(status.rawValue)): console sign-in always asks for a code by SMS"
        case .notGranted(let email): "\(email) has no console role"
        }
    }

    public var remedy: String? {
        switch self {
        case .noValidNumber: "fix the number (`lifeline sms verify-numbers`), then grant the role"
        case .notGranted: "`lifeline admins list` shows who has one"
        case .notActive: nil
        }
    }
}

/// Administration console accounts: directory users given the operator or admin role. Only an
/// active user with a valid SMS number can be given one, since console sign-in always asks for
/// a code by SMS after the password.
public struct ConsoleAccounts: Sendable {
    public let environment: LifelineEnvironment
    var database: Database { environment.database }

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    /// Gives `email` the role (replacing one they had); returns the account and whether the
    /// user has a password yet (without one, they set it through the password reset first).
    /// `onCall` nil keeps their on-call choice (off for a new account).
    public func grant(email: String, role: ConsoleRole, onCall: Bool? = nil, actor: String) throws
        -> (account: ConsoleAccount, hasPassword: Bool)
    {
        let now = environment.clock.now()
        return try database.write { connection in
            let user = try Self.user(email, connection: connection)
            guard user.status == .active else { throw ConsoleAccountFailure.notActive(email: user.email) }
            let number = try SMSNumberStore(connection: connection).stored(userID: user.id)
            guard let number, number.status == .valid else {
                throw ConsoleAccountFailure.noValidNumber(email: user.email, status: number?.status ?? .missing)
            }
            let roles = ConsoleRoleStore(connection: connection)
            let previous = try roles.role(userID: user.id)
            try roles.grant(userID: user.id, role: role, onCall: onCall, by: actor, at: now)
            // A changed role signs the user out everywhere: their next sign-in carries the new one.
            if previous != nil, previous != role { _ = try WebSessionStore(connection: connection).deleteAll(userID: user.id) }
            let hasPassword = try CredentialStore(connection: connection).credentials(userID: user.id) != nil
            let account = ConsoleAccount(
                userID: user.id, email: user.email, role: role, grantedAt: now, grantedBy: actor, onCall: try roles.isOnCall(userID: user.id))
            return (account, hasPassword)
        }
    }

    /// The console's sign-in: the directory password, then always a code by SMS. Someone without
    /// a console role is told only that the email or password is wrong, after the same work.
    public func signIn(email: String, password: String) throws -> LoginOutcome {
        try LoginService(environment).check(email: email, password: password, alwaysSecondFactor: true, admit: Self.hasRole)
    }

    /// ``signIn(email:password:)`` with its steps in `places` (the server: hashing off the writer).
    public func signIn(email: String, password: String, on places: WorkPlaces) async throws -> LoginOutcome {
        try await LoginService(environment).check(email: email, password: password, alwaysSecondFactor: true, admit: Self.hasRole, on: places)
    }

    private static let hasRole: LoginService.Admission = { userID, connection in
        try ConsoleRoleStore(connection: connection).role(userID: userID) != nil
    }

    /// Turns on-call notices on or off for a console account (texted when monitoring drafts an
    /// event).
    public func setOnCall(email: String, _ onCall: Bool) throws {
        try database.write { connection in
            let user = try Self.user(email, connection: connection)
            guard try ConsoleRoleStore(connection: connection).setOnCall(userID: user.id, onCall) else {
                throw ConsoleAccountFailure.notGranted(email: user.email)
            }
        }
    }

    /// Whether the account takes on-call notices.
    public func isOnCall(email: String) throws -> Bool {
        try database.read { connection in
            try ConsoleRoleStore(connection: connection).isOnCall(userID: try Self.user(email, connection: connection).id)
        }
    }

    public func revoke(email: String) throws {
        try database.write { connection in
            let user = try Self.user(email, connection: connection)
            guard try ConsoleRoleStore(connection: connection).revoke(userID: user.id) else {
                throw ConsoleAccountFailure.notGranted(email: user.email)
            }
            _ = try WebSessionStore(connection: connection).deleteAll(userID: user.id)
        }
    }

    public func list() throws -> [ConsoleAccount] {
        try database.read { try ConsoleRoleStore(connection: $0).all() }
    }

    private static func user(_ email: String, connection: any SQLConnection) throws -> UserRecord {
        guard let user = try DirectoryStore(connection: connection).user(email: email.trimmingBlanks()) else {
            throw DirectoryFailure.userNotFound(email: email)
        }
        return user
    }
}
