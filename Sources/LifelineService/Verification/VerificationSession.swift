import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// Code requests and verifications on one open connection: what a portal server keeps, and
/// what each ``VerificationService`` call opens and closes. Not thread-safe: one per thread.
public final class VerificationSession {
    let environment: LifelineEnvironment
    var database: Database { environment.database }
    var clock: any WallClock { environment.clock }
    let keys: SecretKeys?
    private let held: HeldConnection
    var connection: any SQLConnection { held.connection }

    init(_ environment: LifelineEnvironment, keys: SecretKeys?) throws {
        self.environment = environment
        self.keys = keys
        // Waiting for a server that takes writes, before anything is done, is safe for any
        // step: codes are asked for in an outage, so a failover under way is waited out.
        held = try environment.database.holdWaitingOutFailover()
    }

    /// Gives the connection back.
    public func close() {
        held.release()
    }

    /// Records a request and, when the user may have one, queues exactly one SMS with a new code.
    public func request(email: String, purpose: VerificationPurpose, requestID: String? = nil) throws
        -> VerificationRequestOutcome
    {
        try request(CodeRequest(email: email, purpose: purpose, requestID: requestID))
    }

    /// Checks the code of a request made here (`codes request`, `POST /v1/verifications`); a wrong
    /// one counts against the request's attempts. A reset's or a login's request is `not_found`
    /// here: each flow checks its own, so approving a login's code here cannot skip the login's
    /// own approval step.
    public func verify(requestID: String, code: String) throws -> VerificationCheck {
        try verify(requestID: requestID, code: code, origin: .codes).check
    }

    /// Records a request made by any flow and, when its rules allow, queues one code (or notice).
    func request(_ asked: CodeRequest) throws -> VerificationRequestOutcome {
        // Refused before the request (even a rejected one) is stored.
        try TextLimit.email.check(asked.email, field: "the email")
        let requestID = try asked.requestID.map(VerificationService.checked) ?? VerificationService.newRequestID(random: environment.random)
        guard let keys else { throw SecretFailure.missing }
        // Idempotent by its request id (given, or drawn once above): run again after a failover,
        // a request that did commit is found and answered as it was.
        return try held.idempotentWrite {
            if let existing = try VerificationStore(connection: connection).request(id: requestID) {
                guard NameKey.same(existing.email, asked.email),
                    existing.purpose == asked.purpose, existing.origin == asked.origin
                else { throw VerificationFailure.requestIDReused(requestID: requestID) }
                // The request's first outcome, as promised: what became of its code since is
                // `codes status`'s answer, not a repeat's.
                return VerificationRequestOutcome(
                    requestID: requestID, status: existing.status.outcomeWhenRequested,
                    retryAfter: existing.retryAfter, isRepeat: true)
            }
            return try newRequest(requestID: requestID, asked: asked, keys: keys)
        }
    }

    private func newRequest(requestID: String, asked: CodeRequest, keys: SecretKeys) throws -> VerificationRequestOutcome {
        let now = clock.now()
        let store = VerificationStore(connection: connection)
        let purpose = asked.purpose
        var request = NewVerificationRequest(
            requestID: requestID, userID: nil, email: asked.email.trimmingBlanks(), purpose: purpose,
            status: .rejected, channel: asked.channel, origin: asked.origin)
        func finish(_ status: VerificationStatus, _ reason: String?, retryAfter: Date? = nil) throws -> VerificationRequestOutcome {
            try shadowOfASentCode(store: store, purpose: purpose, keys: keys, at: now)
            request.status = status
            request.reason = reason
            request.retryAfter = retryAfter
            try store.insert(request, at: now)
            return VerificationRequestOutcome(requestID: requestID, status: status, retryAfter: retryAfter, isRepeat: false)
        }
        let directory = DirectoryStore(connection: connection)
        guard let user = try directory.user(email: request.email), user.status == .active else {
            return try finish(.rejected, "no active user has this email")
        }
        request.userID = user.id
        let destination: String
        switch asked.channel {
        case .sms:
            guard let number = try SMSSettings(connection: connection).currentNumber(userID: user.id) else {
                return try finish(.rejected, "the user has no valid SMS number")
            }
            request.number = number
            destination = number
        case .email:
            destination = user.email
        }
        let admission = try asked.admit(user, connection)
        if case .refuse(let reason) = admission { return try finish(.rejected, reason) }

        let byUser = try store.codesSent(userID: user.id, purpose: purpose, after: now.addingTimeInterval(-VerificationService.userWindow))
        if byUser.count >= VerificationService.userLimit {
            return try finish(
                .rateLimited, "\(VerificationService.userLimit) messages for this user and purpose in \(Int(VerificationService.userWindow / 60)) minutes",
                retryAfter: byUser[byUser.count - VerificationService.userLimit].addingTimeInterval(VerificationService.userWindow))
        }
        if let number = request.number {
            let byNumber = try store.codesSent(number: number, after: now.addingTimeInterval(-VerificationService.numberWindow))
            if byNumber.count >= VerificationService.numberLimit {
                return try finish(
                    .rateLimited, "\(VerificationService.numberLimit) messages to this number in an hour",
                    retryAfter: byNumber[byNumber.count - VerificationService.numberLimit].addingTimeInterval(VerificationService.numberWindow))
            }
        }
        let outbox = OutboxStore(connection: connection)
        if case .notice(let reason, let body, let kind) = admission {
            request.reason = reason
            let id = try store.insert(request, at: now)
            let outboxID = try outbox.enqueue(
                OutgoingMessage(
                    channel: asked.channel, destination: destination, body: body, kind: kind, program: .service,
                    userID: user.id),
                at: now)
            try store.attach(outboxID: outboxID, to: id)
            return VerificationRequestOutcome(requestID: requestID, status: .rejected, retryAfter: nil, isRepeat: false)
        }

        try store.supersedeLive(userID: user.id, purpose: purpose, at: now)
        let length = try setting(VerificationService.codeLengthKey) ?? VerificationService.defaultCodeLength
        let minutes = try lifetimeMinutes()
        let code = VerificationCode.generate(digits: length, random: environment.random)
        request.status = .sent
        request.codeHMAC = VerificationCode.hmac(code, requestID: requestID, keys: keys)
        request.keyID = keys.keyID
        request.expiresAt = now.addingTimeInterval(TimeInterval(minutes * 60))
        let id = try store.insert(request, at: now)
        let body = VerificationCode.message(code, purpose: purpose, minutes: minutes)
        let outboxID = try outbox.enqueue(
            OutgoingMessage(
                channel: asked.channel, destination: destination, body: VerificationCode.placeholder,
                kind: "verification_code", program: .verification, userID: user.id,
                sealedBody: try MessageSealer(keys: keys).seal(body, destination: destination),
                // A code that arrives after it expired is only a nuisance: dispatch drops it then.
                expiresAt: request.expiresAt),
            at: now)
        try store.attach(outboxID: outboxID, to: id)
        return VerificationRequestOutcome(requestID: requestID, status: .sent, retryAfter: nil, isRepeat: false)
    }

    /// The work of sending a code, done and thrown away when none is sent: the limit queries,
    /// the settings, the supersede, a code with its HMAC and its sealed message, and its outbox
    /// row, written and deleted in this same transaction (as `suppressed`, so nothing could
    /// ever send it) so the commit writes the same pages. An answer that sent nothing (no such
    /// account, no number, not allowed, over a limit) then costs what a real one does, and its
    /// timing does not tell a stranger which emails are real.
    private func shadowOfASentCode(store: VerificationStore, purpose: VerificationPurpose, keys: SecretKeys, at now: Date) throws {
        _ = try store.codesSent(userID: 0, purpose: purpose, after: now.addingTimeInterval(-VerificationService.userWindow))
        _ = try store.codesSent(number: "0", after: now.addingTimeInterval(-VerificationService.numberWindow))
        try store.supersedeLive(userID: 0, purpose: purpose, at: now)
        let length = try setting(VerificationService.codeLengthKey) ?? VerificationService.defaultCodeLength
        let minutes = try lifetimeMinutes()
        let code = VerificationCode.generate(digits: length, random: environment.random)
        _ = VerificationCode.hmac(code, requestID: "shadow", keys: keys)
        let sealed = try MessageSealer(keys: keys).seal(VerificationCode.message(code, purpose: purpose, minutes: minutes), destination: "0")
        let outbox = OutboxStore(connection: connection)
        let decoy = try outbox.enqueue(
            OutgoingMessage(
                channel: .sms, destination: "0", body: VerificationCode.placeholder, kind: "verification_code",
                program: .verification, userID: nil, sealedBody: sealed, status: .suppressed,
                expiresAt: now.addingTimeInterval(TimeInterval(minutes * 60))),
            at: now)
        try outbox.discard(id: decoy)
    }

    /// Checks a code for a request of `origin` (any when nil); returns the request as it was.
    /// `approved` runs in the same transaction as the approval, for what the flow records.
    ///
    /// A request that sent no code (no such user, no number, over a limit, not allowed) answers
    /// exactly as a live code nobody has: `incorrect`, attempts counted, then locked or expired,
    /// and `superseded` once the email asks again. Otherwise `reset verify` would tell a
    /// stranger which emails are real.
    func verify(
        requestID: String, code: String, origin: VerificationOrigin,
        approved: ((VerificationRecord, any SQLConnection) throws -> Void)? = nil
    ) throws -> (check: VerificationCheck, request: VerificationRecord?) {
        try held.write {
            let store = VerificationStore(connection: connection)
            guard let request = try store.request(id: requestID), request.origin == origin
            else { return (.notFound, nil) }
            switch request.status {
            case .approved: return (.alreadyUsed, request)
            case .superseded: return (.superseded, request)
            default: break
            }
            // A reset is live only while it is its email's latest request, code or not.
            if request.origin == .reset,
                try store.hasLaterResetRequest(email: request.email, after: request.id)
            {
                return (.superseded, request)
            }
            let expiresAt = try request.expiresAt ?? request.createdAt.addingTimeInterval(TimeInterval(lifetimeMinutes() * 60))
            guard clock.now() < expiresAt else { return (.expired, request) }
            // A rotated secret cannot check the code: it is as good as expired.
            if request.codeHMAC != nil, keys?.keyID != request.keyID { return (.expired, request) }
            guard request.attempts < VerificationService.maximumAttempts else { return (.maxAttemptsReached, request) }
            try store.countAttempt(id: request.id)
            let candidate = keys.map { VerificationCode.hmac(code.trimmingBlanks(), requestID: requestID, keys: $0) } ?? []
            guard let stored = request.codeHMAC, ConstantTime.equal(candidate, stored) else {
                return (.incorrect(attemptsLeft: VerificationService.maximumAttempts - request.attempts - 1), request)
            }
            try store.markApproved(id: request.id, at: clock.now())
            try approved?(request, connection)
            return (.approved, request)
        }
    }

    private func setting(_ key: String) throws -> Int? {
        try SettingsStore(connection: connection).value(for: key).flatMap { Int($0) }
    }

    private func lifetimeMinutes() throws -> Int {
        try setting(VerificationService.lifetimeKey) ?? VerificationService.defaultLifetimeMinutes
    }
}

/// What a flow's rules decide for an active user who could otherwise be sent a code.
enum Admission {
    case code
    /// Nothing is sent; the reason is kept for operators.
    case refuse(reason: String)
    /// A plain message instead of a code (such as "ask your administrator").
    case notice(reason: String, body: String, kind: String)
}

/// One request for a code, as a flow makes it.
struct CodeRequest {
    var email: String
    var purpose: VerificationPurpose
    var channel: MessageChannel = .sms
    var origin: VerificationOrigin = .codes
    var requestID: String?
    /// Decides, once the user and destination are known, whether a code goes out.
    var admit: (UserRecord, any SQLConnection) throws -> Admission = { _, _ in .code }
}
