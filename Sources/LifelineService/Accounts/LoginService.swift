import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// What a login form learns from `auth check`.
public enum LoginOutcome: Sendable, Equatable {
    /// The password is right and no second factor is needed.
    case authenticated
    /// Wrong password, unknown or disabled account, or no password set: one answer for all.
    case invalidCredentials
    /// The password is right; a code went by SMS. `newNumber`: the directory's number is not
    /// the one the user last signed in with, and this code verifies it.
    case secondFactorRequired(requestID: String, newNumber: Bool)
    /// The password is right but no code could be sent (no valid number, or over a limit).
    case secondFactorUnavailable(reason: String, retryAfter: Date?)

    /// The word an approved sign-in's code check answers with.
    public static let authenticatedWord = "authenticated"

    /// The outcome's one spelling, in the CLI's output and the API's answers alike (snake_case,
    /// as every other status word).
    public var word: String {
        switch self {
        case .authenticated: Self.authenticatedWord
        case .invalidCredentials: "invalid_credentials"
        case .secondFactorRequired(_, let newNumber): newNumber ? "number_verification_required" : "second_factor_required"
        case .secondFactorUnavailable: "second_factor_unavailable"
        }
    }
}

/// What `auth verify` answers.
public struct LoginVerification: Sendable, Equatable {
    public let check: VerificationCheck
    /// True when this login made a new SMS number the trusted one for 2-step.
    public let numberChanged: Bool
}

/// Password login with an optional second factor by SMS.
public struct LoginService: Sendable {
    public let environment: LifelineEnvironment
    public var database: Database { environment.database }
    public var clock: any WallClock { environment.clock }
    private var codes: VerificationService { VerificationService(environment) }
    private var hasher: PasswordHasher { environment.passwordHasher }

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    /// Refuses an account as if its password were wrong (the console's "has a role").
    public typealias Admission = @Sendable (_ userID: Int64, _ connection: any SQLConnection) throws -> Bool

    /// Checks the password and, if the user's profile asks for it (or `alwaysSecondFactor`, as
    /// the console does), sends a 2-step code.
    ///
    /// Every email costs one full PBKDF2 derivation: an unknown user, or one without a password,
    /// is checked against a decoy hash with the same parameters, so timing does not tell them apart.
    /// The three steps run in their `places`: the account is read, the password hashed outside
    /// any transaction (never on the writer), then the outcome written briefly.
    public func check(
        email: String, password: String, alwaysSecondFactor: Bool = false, admit: @escaping Admission = { _, _ in true },
        on places: WorkPlaces
    ) async throws -> LoginOutcome {
        let account = try await places.reading.run { try self.account(email: email, admit: admit) }
        let proof = try await places.computing.run { try self.prove(password, for: account) }
        return try await places.writing.run { try self.finish(account, proof: proof, alwaysSecondFactor: alwaysSecondFactor) }
    }

    /// ``check(email:password:alwaysSecondFactor:admit:on:)`` with every step in place (the CLI).
    public func check(
        email: String, password: String, alwaysSecondFactor: Bool = false, admit: @escaping Admission = { _, _ in true }
    ) throws -> LoginOutcome {
        let account = try account(email: email, admit: admit)
        return try finish(account, proof: try prove(password, for: account), alwaysSecondFactor: alwaysSecondFactor)
    }

    /// What the password proved: whether it matches, and the new hash when the stored one uses
    /// weaker parameters than today's.
    struct PasswordProof: Sendable {
        let matches: Bool
        let rehashed: String?
    }

    private func account(email: String, admit: Admission) throws -> LoginAccount? {
        try TextLimit.email.check(email, field: "the email")
        return try database.read { connection in            try LoginAccount(email: email, connection: connection).flatMap { try admit($0.userID, connection) ? $0 : nil }
        }
    }

    private func prove(_ password: String, for account: LoginAccount?) throws -> PasswordProof {
        let matches = hasher.verify(password, against: account?.passwordHash ?? hasher.decoyHash)
        guard matches, let account, hasher.needsRehash(account.passwordHash ?? "") else { return PasswordProof(matches: matches, rehashed: nil) }
        return PasswordProof(matches: true, rehashed: try hasher.hash(password, random: environment.random))
    }

    private func finish(_ account: LoginAccount?, proof: PasswordProof, alwaysSecondFactor: Bool) throws -> LoginOutcome {
        guard proof.matches, var account, account.isActive else { return .invalidCredentials }
        if alwaysSecondFactor { account.twoStep = .sms }
        let now = clock.now()
        if account.twoStep == .off || proof.rehashed != nil {
            try database.write { connection in
                let store = CredentialStore(connection: connection)
                if let rehashed = proof.rehashed { try store.rehash(userID: account.userID, hash: rehashed) }
                if account.twoStep == .off { try store.recordLogin(userID: account.userID, twoStepNumber: nil, at: now) }
            }
        }
        guard account.twoStep == .sms else { return .authenticated }
        guard let number = account.number else {
            return .secondFactorUnavailable(reason: "the account has no valid SMS number for 2-step sign-in", retryAfter: nil)
        }
        let session = try codes.session(createKey: true)
        defer { session.close() }
        let outcome = try session.request(
            CodeRequest(email: account.email, purpose: .twoStep, channel: .sms, origin: .login, requestID: nil))
        switch outcome.status {
        case .sent:
            let newNumber = account.trustedNumber.map { $0 != number } ?? false
            return .secondFactorRequired(requestID: outcome.requestID, newNumber: newNumber)
        case .rateLimited:
            return .secondFactorUnavailable(reason: "too many sign-in codes were sent recently", retryAfter: outcome.retryAfter)
        default:
            return .secondFactorUnavailable(reason: "no sign-in code could be sent", retryAfter: nil)
        }
    }

    /// Completes a 2-step login with the code; the number it went to becomes the trusted one,
    /// and when that number is new, the old one is told.
    public func verify(requestID: String, code: String) throws -> LoginVerification {
        let session = try codes.session(createKey: false)
        defer { session.close() }
        var numberChanged = false
        let now = clock.now()
        let (check, _) = try session.verify(requestID: requestID, code: code, origin: .login) { request, connection in
            guard let userID = request.userID, let number = request.number else { return }
            let store = CredentialStore(connection: connection)
            let previous = try store.credentials(userID: userID)?.twoStepNumber
            try store.recordLogin(userID: userID, twoStepNumber: number, at: now)
            guard let previous, previous != number else { return }
            numberChanged = true
            _ = try OutboxStore(connection: connection).enqueue(
                OutgoingMessage(
                    channel: .sms, destination: previous, body: AccountMessages.twoStepNumberChanged(newNumber: number),
                    kind: "two_step_number_changed", program: .service, userID: userID),
                at: now)
        }
        return LoginVerification(check: check, numberChanged: numberChanged)
    }
}

/// What a login needs to know about the account an email names, read in one go.
struct LoginAccount: Sendable {
    let userID: Int64
    let email: String
    let isActive: Bool
    let passwordHash: String?
    var twoStep: TwoStep
    /// The user's current SMS number, if valid.
    let number: String?
    /// The number of the user's last completed 2-step sign-in.
    let trustedNumber: String?

    init?(email: String, connection: any SQLConnection) throws {
        let directory = DirectoryStore(connection: connection)
        guard let user = try directory.user(email: email.trimmingBlanks()) else { return nil }
        let credentials = try CredentialStore(connection: connection).credentials(userID: user.id)
        userID = user.id
        self.email = user.email
        isActive = user.status == .active
        passwordHash = credentials?.passwordHash
        twoStep = try ProfileService.effectiveProfile(userID: user.id, connection: connection).twoStep
        number = try SMSSettings(connection: connection).currentNumber(userID: user.id)
        trustedNumber = credentials?.twoStepNumber
    }
}
