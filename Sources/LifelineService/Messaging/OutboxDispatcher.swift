import FoundationEssentials
import LifelineStore

/// How one `outbox dispatch` run behaves.
public struct DispatchOptions: Sendable {
    /// Stop after claiming this many messages; nil for all that are due.
    public var limit: Int?
    /// At most this many SMS parts per second, when one gateway is given; a chain of providers
    /// carries each one's own pace.
    public var ratePerSecond: Double?
    /// The most messages claimed and handed to the providers at once; a paced provider gets
    /// about a second's worth.
    public var batchSize = 5000
    /// How long a claimed message stays reserved; a dispatcher that died holding it frees it then.
    public var lease: Duration = .seconds(120)
    /// Anything queued longer than this is expired instead of sent: a day-old alert misleads.
    public var maximumQueueAge: Duration = .seconds(24 * 3600)
    public var retry = RetryPolicy()

    public init(limit: Int? = nil, ratePerSecond: Double? = nil) {
        self.limit = limit
        self.ratePerSecond = ratePerSecond
    }
}

/// What one dispatch run did.
public struct DispatchSummary: Sendable, Equatable {
    public var claimed = 0
    public var sent = 0
    /// Continuity messages not sent because the user was no longer opted in for that number.
    public var suppressed = 0
    /// Put back with a later due time.
    public var retried = 0
    /// Given up on: refused by the gateway, or out of attempts.
    public var failed = 0
    /// No longer worth sending: its event ended, its code expired, or it waited too long.
    public var expired = 0
    /// Attempts with no answer, which the provider may have accepted.
    public var maybeSent = 0
    /// Times a batch moved on from a provider to the next.
    public var failovers = 0
    /// Sent, by provider.
    public var sentBy: [String: Int] = [:]
    public var seconds = 0.0
}

/// Sends what is due in the outbox through a chain of providers.
///
/// Each batch is claimed in one write transaction (so concurrent dispatchers never share a
/// message), codes and replies before alerts, checked for consent and validity right there,
/// handed to the providers outside any transaction (``ProviderChain``), and its outcomes
/// recorded in a second transaction. A crash between the two leaves the batch `sending` until
/// its lease runs out; it is then sent again with the same idempotency key.
public struct OutboxDispatcher: Sendable {
    public static let suppressedReason = "not opted in for this number when it was due to be sent"

    public let environment: LifelineEnvironment
    public var database: Database { environment.database }
    public var clock: any WallClock { environment.clock }

    /// A dispatcher that opens sealed bodies with the environment's secret, read at each run:
    /// a server's dispatcher outlives the key file's creation by the first code request.
    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    public static let unopenedReason =
        "its sealed body cannot be opened (no secret, or the secret was rotated since it was queued)"
    static let expiryReasons = ExpiryReasons(
        expired: "it expired before it could be sent", tooOld: "it waited longer than the queue's ceiling (--max-queue-age)",
        eventOver: EventService.eventOverReason)

    /// Sends what is due through one gateway, paced at `options.ratePerSecond`.
    public func dispatch(
        through gateway: some MessageGateway & Sendable, options: DispatchOptions = DispatchOptions(),
        work: some BlockingWork = InPlaceWork()
    ) async throws -> DispatchSummary {
        try await dispatch(through: ProviderChain(gateway, rate: options.ratePerSecond), options: options, work: work)
    }

    /// Sends what is due. `work` runs each SQLite step (claim, open, record); the providers'
    /// sends run on the caller's task, so a slow provider never holds a database thread.
    public func dispatch(
        through providers: ProviderChain, options: DispatchOptions = DispatchOptions(),
        work: some BlockingWork = InPlaceWork()
    ) async throws -> DispatchSummary {
        let database = database
        let environment = environment
        return try await database.settings.translatingErrors {
            let run = try await work.run {
                // A bigger page cache than a query's: each batch touches the outbox and its indexes,
                // the users, their numbers and their consent; with SQLite's 2 MiB default a third of
                // dispatch went to evicting and re-reading pages.
                let held = try database.hold(cacheSizeKiB: Database.bulkCacheKiB)
                do {
                    let outbox = try OutboxDispatchWriter(
                        connection: held.connection, token: environment.random.claimToken(), alerts: EventService.alertKinds)
                    return DispatchRun(outbox: outbox, sealer: try Self.loadSealer(environment), held: held)
                } catch {
                    held.release()
                    throw error
                }
            }
            do {
                try await self.run(run, providers: providers, options: options, work: work)
            } catch {
                _ = try? await work.run { run.held.release() }
                throw error
            }
            _ = try await work.run { run.held.release() }
            return run.summary
        }
    }

    /// One run's connection and tallies. Only one step touches it at a time (the run awaits
    /// each), on the thread `work` gives that step; SQLite lets a connection move between
    /// threads so, as long as no two use it at once.
    private final class DispatchRun: @unchecked Sendable {
        let outbox: OutboxDispatchWriter
        /// The run's connection, given back when it ends.
        let held: HeldConnection
        /// Reloaded when a sealed body does not open with it: the key file may have been created
        /// (the first code request) or rotated since the run began.
        var sealer: MessageSealer?
        var summary = DispatchSummary()

        init(outbox: OutboxDispatchWriter, sealer: MessageSealer?, held: HeldConnection) {
            self.outbox = outbox
            self.sealer = sealer
            self.held = held
        }

        /// `body` in one queue write; when a conflict with another server runs it again, the
        /// tallies it keeps count that attempt afresh.
        func write<T>(_ body: () throws -> T) throws -> T {
            let tallied = summary
            return try held.queueWrite {
                summary = tallied
                return try body()
            }
        }
    }

    private func run(_ run: DispatchRun, providers: ProviderChain, options: DispatchOptions, work: some BlockingWork) async throws {
        let started = ContinuousClock.now
        defer { run.summary.seconds = (ContinuousClock.now - started).seconds }
        while options.limit.map({ run.summary.claimed < $0 }) ?? true {
            guard let choice = providers.choose(at: .now) else {
                // Every provider is cooling down (the messages wait), or refuses its credentials.
                if let failure = providers.configurationFailure() { throw failure }
                break
            }
            let provider = providers.providers[choice.index]
            let remaining = options.limit.map { $0 - run.summary.claimed } ?? Int.max
            let size = min(provider.batchSize(atMost: max(1, options.batchSize)), remaining)
            let lease = clock.now() + options.lease
            let batch = try await work.run { () -> (sendable: [ClaimedMessage], messages: [GatewayMessage])? in
                guard let claimed = try claimBatch(run, size: size, leaseUntil: lease, options: options) else { return nil }
                return try open(claimed, run)
            }
            guard let (sendable, messages) = batch, !sendable.isEmpty else {
                if choice.probe { provider.releaseProbe() }
                if batch == nil { break } else { continue }
            }
            let result = await providers.deliver(messages, startingWith: choice, retry: options.retry)
            try await work.run { try record(result, for: sendable, run, leaseUntil: lease, policy: options.retry) }
            // Nothing reached any provider: the batch is back in the queue; say why.
            if let thrown = result.thrown { throw thrown }
        }
    }

    /// Claims a batch, expires what is no longer worth sending and suppresses the continuity
    /// messages whose user is no longer opted in for that number; returns the ones to send, or
    /// nil when nothing was due.
    private func claimBatch(_ run: DispatchRun, size: Int, leaseUntil: Date, options: DispatchOptions) throws -> [ClaimedMessage]? {
        let outbox = run.outbox
        return try run.write {
            let now = clock.now()
            let claimed = try outbox.claimDue(limit: size, at: now, leaseUntil: leaseUntil)
            guard !claimed.isEmpty else { return nil }
            let expired = try outbox.expireStale(
                leaseUntil: leaseUntil, at: now, createdCutoff: now.addingTimeInterval(-options.maximumQueueAge.seconds), reasons: Self.expiryReasons)
            let suppressed = try outbox.suppressUnconsented(
                leaseUntil: leaseUntil, program: ConsentService.program, reason: Self.suppressedReason, at: now)
            run.summary.claimed += claimed.count
            run.summary.expired += expired.count
            run.summary.suppressed += suppressed.count
            let dropped = expired.union(suppressed)
            return dropped.isEmpty ? claimed : claimed.filter { !dropped.contains($0.id) }
        }
    }

    /// The gateway messages for a batch, with sealed bodies opened; a message whose body cannot
    /// be opened fails at once (retrying would not open it).
    private func open(_ claimed: [ClaimedMessage], _ run: DispatchRun) throws -> (sendable: [ClaimedMessage], messages: [GatewayMessage]) {
        let outbox = run.outbox
        guard claimed.contains(where: { $0.sealedBody != nil }) else { return (claimed, claimed.map { GatewayMessage($0) }) }
        var sendable: [ClaimedMessage] = []
        var messages: [GatewayMessage] = []
        var unopened: [ClaimedMessage] = []
        var reloaded = false
        for message in claimed {
            guard let sealed = message.sealedBody else {
                sendable.append(message)
                messages.append(GatewayMessage(message))
                continue
            }
            var body = run.sealer?.open(sealed, destination: message.destination)
            if body == nil, !reloaded {
                // Once a batch: a body that opens with no key read so far fails for good.
                reloaded = true
                run.sealer = try Self.loadSealer(environment)
                body = run.sealer?.open(sealed, destination: message.destination)
            }
            guard let body else {
                unopened.append(message)
                continue
            }
            sendable.append(message)
            messages.append(GatewayMessage(message, body: body))
        }
        if !unopened.isEmpty {
            try run.write {
                for message in unopened { try outbox.fail(id: message.id, error: Self.unopenedReason, at: clock.now()) }
            }
            run.summary.failed += unopened.count
        }
        return (sendable, messages)
    }

    /// The sealer for the secret as it is now. It never creates the secret: with no key file
    /// yet there can be no sealed message either.
    private static func loadSealer(_ environment: LifelineEnvironment) throws -> MessageSealer? {
        try environment.secret.keys(create: false, random: environment.random).map(MessageSealer.init)
    }

    private func record(
        _ result: ProviderChain.BatchResult, for messages: [ClaimedMessage], _ run: DispatchRun, leaseUntil: Date, policy: RetryPolicy
    ) throws {
        let outbox = run.outbox
        // Most of a batch is usually sent by one provider with nothing else to record: those are
        // recorded in one statement at the end, the rest one by one.
        var plain: [String: Int] = [:]
        for case .sent(let provider, nil, 0) in result.deliveries { plain[provider, default: 0] += 1 }
        let bulkProvider = plain.max { $0.value < $1.value }?.key
        try run.write {
            let now = clock.now()
            run.summary.failovers += result.failovers
            for (message, delivery) in zip(messages, result.deliveries) {
                switch delivery {
                case .sent(let provider, let providerID, let maybeSent):
                    run.summary.sent += 1
                    run.summary.maybeSent += maybeSent
                    run.summary.sentBy[provider, default: 0] += 1
                    if providerID != nil || maybeSent > 0 || provider != bulkProvider {
                        try outbox.markSent(id: message.id, providerID: providerID, provider: provider, maybeSent: maybeSent, at: now)
                    }
                case .failed(let reason, let maybeSent):
                    run.summary.maybeSent += maybeSent
                    try outbox.fail(id: message.id, error: reason, maybeSent: maybeSent, at: now)
                    run.summary.failed += 1
                case .notSent(let reason, _, let maybeSent) where result.thrown != nil:
                    // Nothing reached a provider: put it back as it was, due at once.
                    run.summary.maybeSent += maybeSent
                    try outbox.reschedule(id: message.id, retryAt: now, error: reason, maybeSent: maybeSent, at: now)
                    run.summary.retried += 1
                case .notSent(let reason, let after, let maybeSent) where policy.allowsAnother(after: message.attempts):
                    run.summary.maybeSent += maybeSent
                    let wait = policy.wait(afterAttempt: message.attempts, retryAfter: after, random: environment.random.unitInterval())
                    try outbox.reschedule(id: message.id, retryAt: now + wait, error: reason, maybeSent: maybeSent, at: now)
                    run.summary.retried += 1
                case .notSent(let reason, _, let maybeSent):
                    run.summary.maybeSent += maybeSent
                    try outbox.fail(
                        id: message.id, error: "\(reason) (gave up after \(message.attempts) attempts)", maybeSent: maybeSent, at: now)
                    run.summary.failed += 1
                }
            }
            if let bulkProvider { try outbox.markRestSent(leaseUntil: leaseUntil, provider: bulkProvider, at: now) }
        }
    }

}

extension Date {
    static func + (date: Date, duration: Duration) -> Date {
        date.addingTimeInterval(Double(duration.wholeMilliseconds) / 1000)
    }
}
