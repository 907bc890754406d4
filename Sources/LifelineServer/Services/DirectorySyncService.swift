import FoundationEssentials
import LifelineService
import LifelineStore
import Logging
import NIOPosix
import ServiceLifecycle

/// `lifeline serve --sync-ldap-every`: the LDAP sync `lifeline sync ldap` runs, run by the
/// server on a schedule, with its settings from a file.
///
/// The directory is read on NIO's thread pool (network waits, not the database's threads), the
/// import stages among the readers and merges on the writer, as an upload's does. Each run is
/// recorded for the console. Servers sharing a database read the latest run first, so one sync
/// an interval runs between them, not one each.
public struct DirectorySyncService: Service {
    let environment: LifelineEnvironment
    let settings: LDAPSyncSettings
    let every: Duration
    /// Connects and binds (LifelineLDAP's client in use).
    let open: @Sendable (LDAPSyncSettings) throws -> any LDAPDirectory
    let logger: Logger
    /// Told after each run: what a test awaits instead of guessing a time.
    let onRun: @Sendable (DirectorySyncRecord) -> Void

    /// A failed run is tried again after this long, or the interval if that is shorter.
    static let retryDelay: Duration = .seconds(300)
    static let actor = "serve"

    public init(
        environment: LifelineEnvironment, settings: LDAPSyncSettings, every: Duration,
        open: @escaping @Sendable (LDAPSyncSettings) throws -> any LDAPDirectory, logger: Logger,
        onRun: @escaping @Sendable (DirectorySyncRecord) -> Void = { _ in }
    ) {
        self.environment = environment
        self.settings = settings
        self.every = every
        self.open = open
        self.logger = logger
        self.onRun = onRun
    }

    public func run() async throws {
        logger.info("directory sync scheduled", metadata: ["every": .string("\(every)"), "url": .string(settings.url)])
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let wait: Duration
            if let due = await timeUntilDue(), due > .zero {
                // Another server (or `lifeline sync ldap`) synced within the interval.
                logger.info("directory sync not due", metadata: ["in_seconds": .stringConvertible(due.components.seconds)])
                wait = due
            } else {
                let record = await syncOnce()
                onRun(record)
                wait = record.outcome == "failed" ? min(Self.retryDelay, every) : every
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
        }
    }

    /// How long until a run is due, judged by the latest run any server recorded; nil when
    /// that cannot be read (then run, and let the run say what is wrong).
    private func timeUntilDue() async -> Duration? {
        let environment = environment
        guard let latest = try? await environment.database.read({ try LDAPSync(environment).latest() }) else { return nil }
        let elapsed = environment.clock.now().timeIntervalSince(latest.startedAt)
        let next = latest.outcome == "failed" ? min(Self.retryDelay, every) : every
        let interval = Double(next.components.seconds) + Double(next.components.attoseconds) / 1e18
        return .milliseconds(Int64(max(0, interval - elapsed) * 1000))
    }

    /// One run, recorded whatever its outcome.
    func syncOnce() async -> DirectorySyncRecord {
        let environment = environment
        let settings = settings
        let open = open
        let started = environment.clock.now()
        let sync = LDAPSync(environment)
        let result: Result<LDAPSyncSummary, any Error>
        do {
            let entries = try await NIOThreadPool.singleton.runIfActive { try sync.read(settings, from: try open(settings)) }
            result = .success(try await sync.apply(entries, settings: settings, dryRun: false, on: environment.database.places))
        } catch {
            result = .failure(error)
        }
        let record = LDAPSync.record(result, actor: Self.actor, startedAt: started, finishedAt: environment.clock.now())
        do {
            try await environment.database.write { try sync.record(record) }
        } catch {
            logger.error("directory sync not recorded", metadata: ["failure": .string("\(error)")])
        }
        switch result {
        case .success(let summary):
            logger.info(
                "directory synced",
                metadata: [
                    "outcome": .string(record.outcome), "entries": .stringConvertible(summary.entries),
                    "created": .stringConvertible(record.created), "updated": .stringConvertible(record.updated),
                    "disabled": .stringConvertible(record.disabled), "rejected": .stringConvertible(record.rejected),
                ])
            if let detail = record.detail { logger.warning("directory sync: \(detail)") }
        case .failure(let error):
            logger.error("directory sync failed", metadata: ["failure": .string("\(error)")])
        }
        return record
    }
}
