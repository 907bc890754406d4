import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// The SMS (or email) password reset: start, verify the code, complete with a new password.
///
/// `start` answers the same whatever the email: no account, a disabled one, a profile that
/// does not allow the method, or a real reset all return just a request id. A profile that
/// allows no reset gets a notice to call the administrator where the code would have gone, so
/// only the holder of the phone (or mailbox) learns it.
public struct PasswordResetService: Sendable {
    /// The one answer `start` gives, whatever the email: it tells a stranger nothing.
    public static let uniformAnswer = "If the account can be reset this way, a code has been sent."

    /// Where a reset's code goes when the asker does not say: the phone, which is what works
    /// while email is down.
    public static let defaultMethod = MessageChannel.sms

    /// The methods a reset form offers: those at least one profile allows (which one this
    /// user's profile allows stays unsaid, as the visitor has proved nothing yet); the default
    /// when none does. The portal and any other form ask this.
    public func offeredMethods() throws -> [MessageChannel] {
        let options = Set(try ProfileService(environment).list().map(\.resetOptions))
        let methods = [MessageChannel.sms, .email].filter { method in options.contains { $0.allows(method) } }
        return methods.isEmpty ? [Self.defaultMethod] : methods
    }

    /// How long a verified code lets the user complete the reset.
    public static let approvalLifetime: TimeInterval = 10 * 60

    public let environment: LifelineEnvironment
    public var database: Database { environment.database }
    public var clock: any WallClock { environment.clock }
    private var codes: VerificationService { VerificationService(environment) }
    private var hasher: PasswordHasher { environment.passwordHasher }

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    /// Records the request and, if the user's profile allows `method`, sends a code; returns
    /// only the request id, whatever happened.
    public func start(email: String, method: MessageChannel, requestID: String? = nil) throws -> String {
        try request(email: email, method: method, requestID: requestID).requestID
    }

    /// A reset an administrator starts for a named user (`admins grant --send-reset`): the same
    /// request, with what became of it, which only the uniform answer to strangers hides.
    public func startForAccount(email: String) throws -> VerificationRequestOutcome {
        try request(email: email, method: .sms, requestID: nil)
    }

    private func request(email: String, method: MessageChannel, requestID: String?) throws -> VerificationRequestOutcome {
        let session = try codes.session(createKey: true)
        defer { session.close() }
        let request = CodeRequest(
            email: email, purpose: .passwordReset, channel: method, origin: .reset, requestID: requestID,
            admit: { user, connection in
                let profile = try ProfileService.effectiveProfile(userID: user.id, connection: connection)
                if profile.resetOptions == .notAllowed {
                    return .notice(
                        reason: "profile '\(profile.name)' does not allow password reset",
                        body: AccountMessages.resetNotAllowed, kind: "reset_not_allowed")
                }
                return profile.resetOptions.allows(method)
                    ? .code : .refuse(reason: "profile '\(profile.name)' does not allow reset by \(method.rawValue)")
            })
        return try session.request(request)
    }

    /// Checks the code of a reset request; approval then lasts ``approvalLifetime``.
    public func verify(requestID: String, code: String) throws -> VerificationCheck {
        let session = try codes.session(createKey: false)
        defer { session.close() }
        return try session.verify(requestID: requestID, code: code, origin: .reset).check
    }

    /// Sets the new password of an approved reset, once, tells the user by SMS, and ends the
    /// user's page sessions (whoever knew the old password is signed out).
    ///
    /// The steps run in their `places`: the reset and the policy are read, the password checked
    /// and hashed outside any transaction (a tenth of a second or more, never on the writer),
    /// then the outcome written briefly.
    public func complete(requestID: String, password: String, on places: WorkPlaces) async throws {
        guard !password.isEmpty else { throw AccountFailure.emptyPassword }
        let (policy, email) = try await places.reading.run { try self.policyAndEmail(requestID) }
        let hash = try await places.computing.run { try self.hash(password, email: email, policy: policy) }
        try await places.writing.run { try self.store(hash, requestID: requestID) }
    }

    /// ``complete(requestID:password:on:)`` with every step in place (the CLI).
    public func complete(requestID: String, password: String) throws {
        guard !password.isEmpty else { throw AccountFailure.emptyPassword }
        let (policy, email) = try policyAndEmail(requestID)
        try store(try hash(password, email: email, policy: policy), requestID: requestID)
    }

    private func policyAndEmail(_ requestID: String) throws -> (PasswordPolicy, String) {
        let policy = try SettingsService(environment).passwordPolicy()
        let email = try database.read { connection in            try approvedReset(requestID, connection: connection).email
        }
        return (policy, email)
    }

    private func hash(_ password: String, email: String, policy: PasswordPolicy) throws -> String {
        let broken = policy.violations(of: password, email: email)
        guard broken.isEmpty else { throw AccountFailure.passwordRejected(broken) }
        return try hasher.hash(password, random: environment.random)
    }

    private func store(_ hash: String, requestID: String) throws {
        try database.write { connection in
            let (request, userID, _) = try approvedReset(requestID, connection: connection)
            let now = clock.now()
            guard try VerificationStore(connection: connection).markCompleted(id: request.id, at: now) else {
                throw AccountFailure.resetAlreadyCompleted(requestID: requestID)
            }
            try CredentialStore(connection: connection).setPassword(userID: userID, hash: hash, at: now)
            _ = try WebSessionStore(connection: connection).deleteAll(userID: userID)
            if let number = try SMSSettings(connection: connection).currentNumber(userID: userID) {
                _ = try OutboxStore(connection: connection).enqueue(
                    OutgoingMessage(
                        channel: .sms, destination: number, body: AccountMessages.passwordChanged,
                        kind: "password_changed", program: .service, userID: userID),
                    at: now)
            }
        }
    }

    /// The reset request, if its code was verified less than ``approvalLifetime`` ago, it was not
    /// completed yet, and its user is still active.
    private func approvedReset(_ requestID: String, connection: any SQLConnection) throws
        -> (request: VerificationRecord, userID: Int64, email: String)
    {
        guard let request = try VerificationStore(connection: connection).request(id: requestID),
            request.origin == .reset, request.status == .approved,
            let usedAt = request.usedAt, let userID = request.userID,
            let user = try DirectoryStore(connection: connection).user(id: userID), user.status == .active
        else { throw AccountFailure.resetNotApproved(requestID: requestID) }
        guard request.completedAt == nil else { throw AccountFailure.resetAlreadyCompleted(requestID: requestID) }
        guard clock.now() < usedAt.addingTimeInterval(Self.approvalLifetime) else {
            throw AccountFailure.approvalExpired(requestID: requestID, minutes: Int(Self.approvalLifetime / 60))
        }
        return (request, userID, user.email)
    }
}

extension ResetOptions {
    /// Whether a profile with these options lets its users reset by `method`.
    public func allows(_ method: MessageChannel) -> Bool {
        switch (self, method) {
        case (.emailOrSMS, _), (.sms, .sms), (.email, .email): true
        default: false
        }
    }
}
