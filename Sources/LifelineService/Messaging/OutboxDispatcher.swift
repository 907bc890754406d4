import FoundationEssentials
import LifelineStore

/// How one `outbox dispatch` run behaves.
public struct DispatchOptions: Sendable {
    /// Stop after claiming this many messages; nil for all that are due.
    public var limit: Int?
    /// At most this many messages per second; nil for as fast as the gateway takes them.
    public var ratePerSecond: Double?
    /// Messages claimed and handed to the gateway at once.
    public var batchSize = 5000
    /// How long a claimed message stays reserved; a dispatcher that died holding it frees it then.
    public var lease: Duration = .seconds(120)
    public var retry = RetryPolicy()

    /// The rate to pace to, within what a Duration and an Int can hold: from 0.001 to 1,000,000
    /// messages a second (a NaN, an infinity or 0 means no pacing, as if none were asked).
    var pacingRate: Double? {
        guard let ratePerSecond, ratePerSecond.isFinite, ratePerSecond > 0 else { return nil }
        return min(max(ratePerSecond, 0.001), 1_000_000)
    }

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
    public var seconds = 0.0
}

/// Sends what is due in the outbox through a gateway.
///
/// Each batch is claimed in one write transaction (so concurrent dispatchers never share a
/// message), checked for consent right there, handed to the gateway outside any transaction,
/// and its outcomes recorded in a second transaction. A crash between the two leaves the batch
/// `sending` until its lease runs out; it is then sent again with the same idempotency key.
public struct OutboxDispatcher: Sendable {
    static let cacheSizeKiB = 64 * 1024
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

    /// Sends what is due. `work` runs each SQLite step (claim, open, record); the gateway's
    /// sends run on the caller's task, so a slow provider never holds a database thread.
    public func dispatch(
        through gateway: some MessageGateway, options: DispatchOptions = DispatchOptions(),
        work: some BlockingWork = InPlaceWork()
    ) async throws -> DispatchSummary {
        let database = database
        let environment = environment
        return try await database.settings.translatingErrors {
            let run = try await work.run {
                // A bigger page cache than a query's: each batch touches the outbox and its indexes,
                // the users, their numbers and their consent; with SQLite's 2 MiB default a third of
                // dispatch went to evicting and re-reading pages.
                let held = try database.hold(cacheSizeKiB: Self.cacheSizeKiB)
                do {
                    let outbox = try OutboxDispatchWriter(connection: held.connection, token: environment.random.claimToken())
                    return DispatchRun(outbox: outbox, sealer: try Self.loadSealer(environment), held: held)
                } catch {
                    held.release()
                    throw error
                }
            }
            do {
                try await self.run(run, gateway: gateway, options: options, work: work)
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
    }

    private func run(_ run: DispatchRun, gateway: some MessageGateway, options: DispatchOptions, work: some BlockingWork) async throws {
        let started = ContinuousClock.now
        var batchSize = max(1, options.batchSize)
        if let rate = options.pacingRate { batchSize = min(batchSize, max(1, Int(rate / 10))) }
        while options.limit.map({ run.summary.claimed < $0 }) ?? true {
            let size = min(batchSize, options.limit.map { $0 - run.summary.claimed } ?? batchSize)
            let lease = clock.now() + options.lease
            let batch = try await work.run { () -> (sendable: [ClaimedMessage], messages: [GatewayMessage])? in
                guard let claimed = try claimBatch(run, size: size, leaseUntil: lease) else { return nil }
                return try open(claimed, run)
            }
            guard let (sendable, messages) = batch else { break }
            guard !sendable.isEmpty else { continue }
            let outcomes: [GatewayOutcome]
            do {
                outcomes = try await gateway.send(messages)
            } catch {
                // Nothing was sent: put the batch back as it was, due at once, for the next run.
                let reason = "\(error)"
                try await work.run {
                    try run.outbox.connection.write {
                        for message in sendable {
                            try run.outbox.reschedule(id: message.id, retryAt: clock.now(), error: reason, at: clock.now())
                        }
                    }
                }
                throw error
            }
            try await work.run { try record(outcomes, for: sendable, run, leaseUntil: lease, policy: options.retry) }
            if let rate = options.pacingRate { try await pace(sent: run.summary.claimed, rate: rate, since: started) }
        }
        run.summary.seconds = (ContinuousClock.now - started).seconds
    }

    /// Claims a batch and suppresses the continuity messages whose user is no longer opted in
    /// for that number; returns the ones to send, or nil when nothing was due.
    private func claimBatch(_ run: DispatchRun, size: Int, leaseUntil: Date) throws -> [ClaimedMessage]? {
        let outbox = run.outbox
        return try outbox.connection.write {
            let now = clock.now()
            let claimed = try outbox.claimDue(limit: size, at: now, leaseUntil: leaseUntil)
            guard !claimed.isEmpty else { return nil }
            let suppressed = try outbox.suppressUnconsented(
                leaseUntil: leaseUntil, program: ConsentService.program, reason: Self.suppressedReason, at: now)
            run.summary.claimed += claimed.count
            run.summary.suppressed += suppressed.count
            return suppressed.isEmpty ? claimed : claimed.filter { !suppressed.contains($0.id) }
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
            try outbox.connection.write {
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
        _ outcomes: [GatewayOutcome], for messages: [ClaimedMessage], _ run: DispatchRun, leaseUntil: Date, policy: RetryPolicy
    ) throws {
        let outbox = run.outbox
        try outbox.connection.write {
            let now = clock.now()
            for (message, outcome) in zip(messages, outcomes) {
                switch outcome {
                case .sent(nil):
                    run.summary.sent += 1  // recorded with the rest of the batch below
                case .sent(let providerID?):
                    try outbox.markSent(id: message.id, providerID: providerID, at: now)
                    run.summary.sent += 1
                case .retry(let reason, let after) where policy.allowsAnother(after: message.attempts):
                    let wait = policy.wait(afterAttempt: message.attempts, retryAfter: after, random: environment.random.unitInterval())
                    try outbox.reschedule(id: message.id, retryAt: now + wait, error: reason, at: now)
                    run.summary.retried += 1
                case .retry(let reason, _):
                    try outbox.fail(id: message.id, error: "\(reason) (gave up after \(message.attempts) attempts)", at: now)
                    run.summary.failed += 1
                case .failed(let reason):
                    try outbox.fail(id: message.id, error: reason, at: now)
                    run.summary.failed += 1
                }
            }
            // A gateway that answered for fewer messages than it was given sent none of the rest.
            for message in messages.dropFirst(outcomes.count) {
                try outbox.reschedule(id: message.id, retryAt: now, error: "the gateway gave no outcome for it", at: now)
                run.summary.retried += 1
            }
            try outbox.markRestSent(leaseUntil: leaseUntil, at: now)
        }
    }

    /// Sleeps until `sent` messages at `rate` per second would have taken since `started`.
    private func pace(sent: Int, rate: Double, since started: ContinuousClock.Instant) async throws {
        try await Task.sleep(until: started + .seconds(Double(sent) / rate), clock: .continuous)
    }
}

extension Date {
    static func + (date: Date, duration: Duration) -> Date {
        date.addingTimeInterval(Double(duration.wholeMilliseconds) / 1000)
    }
}
