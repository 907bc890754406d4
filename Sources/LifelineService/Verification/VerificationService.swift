import Crypto
import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// One-time codes for the password-reset and 2-step programs: one code per end-user request,
/// never unsolicited, kept only as HMAC-SHA256, sealed in the outbox, rate limited.
///
/// There is deliberately no way in to send a code to a number: a code goes only to the
/// current SMS number of the active user whose email the request names.
public struct VerificationService: Sendable {
    static let codeLengthKey = "codes.length"
    static let lifetimeKey = "codes.ttl_minutes"
    static let defaultCodeLength = 6
    static let defaultLifetimeMinutes = 10
    public static let maximumAttempts = 5
    /// At most this many codes per user and purpose in `userWindow`.
    public static let userLimit = 5
    public static let userWindow: TimeInterval = 10 * 60
    /// At most this many codes to one number (several users can share it) in `numberWindow`.
    public static let numberLimit = 10
    public static let numberWindow: TimeInterval = 60 * 60

    public let environment: LifelineEnvironment
    public var database: Database { environment.database }
    public var clock: any WallClock { environment.clock }

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    /// Records a request and, when the user may have one, queues exactly one SMS with a new code
    /// (one connection for this call; a server keeps a ``VerificationSession``).
    public func request(email: String, purpose: VerificationPurpose, requestID: String? = nil) throws
        -> VerificationRequestOutcome
    {
        try withSession(createKey: true) { try $0.request(email: email, purpose: purpose, requestID: requestID) }
    }

    /// Checks a code; a wrong one counts against the request's attempts.
    public func verify(requestID: String, code: String) throws -> VerificationCheck {
        try withSession(createKey: false) { try $0.verify(requestID: requestID, code: code) }
    }

    /// A session on one connection, for callers that make many requests (a portal server).
    public func session(createKey: Bool = true) throws -> VerificationSession {
        try VerificationSession(environment, keys: try keys(create: createKey))
    }

    /// The keys. A key file is created only while nothing in the database was made with a key:
    /// one deleted by mistake is never silently replaced while live codes and sealed messages
    /// still depend on it (`lifeline secret rotate --yes` replaces it knowingly).
    func keys(create: Bool) throws -> SecretKeys? {
        if let keys = try environment.secret.keys(create: false, random: environment.random) { return keys }
        guard create else { return nil }
        if let path = environment.secret.keyFilePath {
            let use = try sealedMaterial()
            if use.liveCodes > 0 || use.sealedMessages > 0 {
                // Another process may have created the key and used it since we looked: every
                // process writes the key file before any code made with it, so look again.
                if let keys = try environment.secret.keys(create: false, random: environment.random) { return keys }
                throw SecretFailure.keyFileMissingWhileInUse(path: path, liveCodes: use.liveCodes, sealedMessages: use.sealedMessages)
            }
        }
        return try environment.secret.keys(create: true, random: environment.random)
    }

    /// Live codes and unsent sealed messages: what a new secret would invalidate.
    public func sealedMaterial() throws -> (liveCodes: Int, sealedMessages: Int) {
        let now = clock.now()
        return try database.read { try VerificationStore(connection: $0).sealedMaterial(at: now) }
    }

    /// Replaces the key file with a new random key; returns the new key's id. Live codes then
    /// answer `expired` and unsent sealed messages fail: ``sealedMaterial()`` says how many.
    public func rotateKey() throws -> String {
        try DatabaseMaintenance(environment).checkReady()
        return try environment.secret.replaceKey(random: environment.random).keyID
    }

    private func withSession<T>(createKey: Bool, _ body: (VerificationSession) throws -> T) throws -> T {
        let session = try session(createKey: createKey)
        defer { session.close() }
        return try body(session)
    }

    /// A request as operators may see it: never the code.
    public func status(requestID: String) throws -> VerificationRequestView? {
        let now = clock.now()
        return try database.read { connection in            guard let request = try VerificationStore(connection: connection).request(id: requestID) else { return nil }
            var state = VerificationRequestState(request.status)
            if state == .sent {
                if let expiresAt = request.expiresAt, now >= expiresAt {
                    state = .expired
                } else if request.attempts >= Self.maximumAttempts {
                    state = .locked
                }
            }
            return VerificationRequestView(
                requestID: request.requestID, email: request.email,
                purpose: request.purpose, state: state,
                reason: request.reason, number: request.number, attempts: request.attempts, createdAt: request.createdAt,
                expiresAt: request.expiresAt, usedAt: request.usedAt, retryAfter: request.retryAfter,
                channel: request.channel, origin: request.origin)
        }
    }

    /// Deletes requests closed (expired, used, superseded, refused) more than `age` ago, and
    /// verification messages finished that long ago, at most `batchSize` rows per transaction
    /// (fewer once a transaction has held the write lock 20 ms: ``PurgeTransactionBudget``) so
    /// code requests keep flowing.
    ///
    /// A batch's time is how long it held the write lock, which is what a code request waits
    /// for: from the moment `BEGIN IMMEDIATE` got the lock to the end of `COMMIT`. This
    /// connection's WAL checkpoints run between batches (every `batchSize` rows) instead of
    /// inside `COMMIT`, where SQLite runs them after the lock is released anyway; they block no
    /// writer.
    public func purge(olderThan age: Duration, batchSize: Int) throws -> PurgeSummary {
        let cutoff = clock.now().addingTimeInterval(-Double(age.wholeMilliseconds) / 1000)
        let started = ContinuousClock.now
        var summary = PurgeSummary()
        // A large page cache: each batch walks the table and three indexes; with the 2 MiB
        // default the slowest batches were those re-reading evicted index pages.
        let held = try database.hold(cacheSizeKiB: Database.bulkCacheKiB)
        defer { held.release() }
        try database.settings.translatingErrors {
            let connection = held.connection
            try connection.disableAutomaticCheckpoints()
            let store = VerificationStore(connection: connection)
            let budget = PurgeTransactionBudget(maximumRows: batchSize)
            var rowsSinceCheckpoint = 0
            for table in [\PurgeSummary.requestsDeleted, \PurgeSummary.messagesDeleted] {
                var exhausted = false
                while !exhausted {
                    var lockTaken = ContinuousClock.now
                    let deleted: Int
                    // Another server purging the same rows at once is a conflict on PostgreSQL:
                    // the batch runs again and finds them gone.
                    (deleted, exhausted) = try held.write {
                        lockTaken = ContinuousClock.now
                        return try budget.deleteChunks(since: lockTaken) { rows in
                            table == \PurgeSummary.requestsDeleted
                                ? try store.purgeClosed(before: cutoff, limit: rows)
                                : try store.purgeMessages(before: cutoff, limit: rows)
                        }
                    }
                    let held = (ContinuousClock.now - lockTaken).seconds * 1000
                    // About as often as fixed batches of the cap would checkpoint: short
                    // transactions should not pay a checkpoint (and its fsyncs) each.
                    rowsSinceCheckpoint += deleted
                    if rowsSinceCheckpoint >= batchSize || exhausted {
                        try connection.checkpointPassively()
                        rowsSinceCheckpoint = 0
                    }
                    guard deleted > 0 else { break }
                    summary[keyPath: table] += deleted
                    summary.batches += 1
                    summary.largestBatch = max(summary.largestBatch, deleted)
                    summary.slowestBatchMilliseconds = max(summary.slowestBatchMilliseconds, held)
                }
            }
        }
        summary.seconds = (ContinuousClock.now - started).seconds
        return summary
    }

    static func checked(_ requestID: String) throws -> String {
        let allowed = requestID.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A)
                || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":")
        }
        guard allowed, (1...100).contains(requestID.utf8.count) else { throw VerificationFailure.invalidRequestID(requestID) }
        return requestID
    }

    static func newRequestID(random: any RandomSource) -> String {
        "vr-" + random.hex(16)
    }
}
