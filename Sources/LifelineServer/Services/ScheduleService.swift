import FoundationEssentials
import LifelineService
import Logging
import ServiceLifecycle

/// The server's timed work: continuity events that start or end at a set time and the on-call
/// notices' reminders and automatic starts, checked every `interval`, and the nightly purge
/// of ended codes at `purgeAt` (local time), for those who would rather not keep a cron line
/// for `scripts/nightly-purge`.
public struct ScheduleService: Service {
    let environment: LifelineEnvironment
    /// Runs the event transitions: the writer thread, in line with the requests' writes.
    let writer: any BlockingWork
    /// Runs the purge, which commits in small batches and must not hold the writer thread.
    let background: any BlockingWork
    let purgeAt: TimeOfDay?
    let purgeAge: Duration
    let interval: Duration
    /// Where the on-call notices' links point (`--public-url`).
    let publicURL: String?
    let logger: Logger
    /// Told after each pass over the schedule: what a test awaits instead of guessing a time.
    let onPass: @Sendable () -> Void

    public init(
        environment: LifelineEnvironment, writer: any BlockingWork, background: any BlockingWork, purgeAt: TimeOfDay?,
        purgeAge: Duration = .seconds(24 * 3600), interval: Duration = .seconds(5), publicURL: String? = nil, logger: Logger,
        onPass: @escaping @Sendable () -> Void = {}
    ) {
        self.onPass = onPass
        self.environment = environment
        self.writer = writer
        self.background = background
        self.purgeAt = purgeAt
        self.purgeAge = purgeAge
        self.interval = interval
        self.publicURL = publicURL
        self.logger = logger
    }

    public func run() async throws {
        var nextPurge = purgeAt?.next(after: environment.clock.now())
        if let nextPurge { logger.info("purge scheduled", metadata: ["at": .string(UTCTimestamp.string(from: nextPurge))]) }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await runDueEvents()
            await runDueNotices()
            if let due = nextPurge, environment.clock.now() >= due, let purgeAt {
                // A purge that failed (the database was failing over, say) is tried again a
                // minute later rather than a day later.
                let now = environment.clock.now()
                nextPurge = await purge() ? purgeAt.next(after: now) : now.addingTimeInterval(Self.purgeRetryDelay)
            }
            onPass()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    private func runDueEvents() async {
        let environment = environment
        do {
            for (id, outcome) in try await writer.run({ try EventService(environment).runSchedule() }) {
                switch outcome {
                case .success(let transition) where !transition.alreadyDone:
                    logger.info(
                        "scheduled event moved",
                        metadata: [
                            "event": .stringConvertible(id), "state": .string(transition.state.rawValue),
                            "queued": .stringConvertible(transition.queued),
                        ])
                case .success: break
                case .failure(let error):
                    logger.error("scheduled event could not move", metadata: ["event": .stringConvertible(id), "failure": .string("\(error)")])
                }
            }
        } catch {
            logger.warning("scheduled events not checked", metadata: ["failure": .string("\(error)")])
        }
    }

    private func runDueNotices() async {
        let notices = OnCallNotices(environment, publicURL: publicURL)
        do {
            for (id, step) in try await writer.run({ try notices.runDue() }) {
                let metadata: Logger.Metadata = ["event": .stringConvertible(id), "step": .string("\(step)")]
                switch step {
                case .autoStartFailed: logger.error("event could not start by itself", metadata: metadata)
                case .failed: logger.warning("on-call notices not sent; trying again", metadata: metadata)
                default: logger.info("on-call notices", metadata: metadata)
                }
            }
        } catch {
            logger.warning("on-call notices not checked", metadata: ["failure": .string("\(error)")])
        }
    }

    /// How long after a failed purge it is tried again.
    static let purgeRetryDelay: TimeInterval = 60

    /// Whether the purge ran to the end (or the server is stopping, and it need not be retried).
    private func purge() async -> Bool {
        let environment = environment
        let age = purgeAge
        do {
            let summary = try await background.run { try VerificationService(environment).purge(olderThan: age, batchSize: 10_000) }
            // Sessions and spent captcha challenges are few (one row a visitor): one transaction.
            let pages = try await background.run { try WebSessions(environment).purge() }
            logger.info(
                "purged",
                metadata: [
                    "rows": .stringConvertible(summary.rows), "requests": .stringConvertible(summary.requestsDeleted),
                    "messages": .stringConvertible(summary.messagesDeleted), "sessions": .stringConvertible(pages.sessions),
                    "captcha_answers": .stringConvertible(pages.challenges),
                ])
            return true
        } catch is CancellationError {
            // The server is stopping: the next night's purge takes what this one left.
            logger.info("purge stopped: the server is stopping")
            return true
        } catch {
            logger.error("purge failed; trying again in a minute", metadata: ["failure": .string("\(error)")])
            return false
        }
    }
}
