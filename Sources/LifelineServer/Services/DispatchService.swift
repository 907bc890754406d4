import LifelineService
import Logging
import ServiceLifecycle

/// The outbox dispatcher, running for as long as the server does: it sends what is due in
/// batches, claiming with leases as `outbox dispatch` does (so a CLI dispatch and the server
/// never send one message twice), and waits a moment when nothing is due. On shutdown it
/// finishes the batch in hand, then stops.
public struct DispatchService: Service {
    let environment: LifelineEnvironment
    /// Shared with `/readyz` and `/metrics`, which report each provider's health.
    let providers: ProviderChain
    let options: DispatchOptions
    let idleWait: Duration
    let work: any BlockingWork
    let logger: Logger

    /// `work` runs the dispatcher's SQLite steps: the server's writer (``Database/places``' `writing`).
    public init(
        environment: LifelineEnvironment, providers: ProviderChain, options: DispatchOptions = DispatchOptions(limit: 1_000),
        idleWait: Duration = .seconds(1), work: any BlockingWork, logger: Logger
    ) {
        self.environment = environment
        self.work = work
        self.providers = providers
        self.options = options
        self.idleWait = idleWait
        self.logger = logger
    }

    public func run() async throws {
        let dispatcher = OutboxDispatcher(environment)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var claimed = 0
            do {
                let summary = try await dispatcher.dispatch(through: providers, options: options, work: work)
                claimed = summary.claimed
                ServerMetrics.dispatched(summary)
                if claimed > 0 {
                    logger.info(
                        "dispatched",
                        metadata: [
                            "claimed": .stringConvertible(summary.claimed), "sent": .stringConvertible(summary.sent),
                            "suppressed": .stringConvertible(summary.suppressed), "retried": .stringConvertible(summary.retried),
                            "failed": .stringConvertible(summary.failed), "expired": .stringConvertible(summary.expired),
                            "maybe_sent": .stringConvertible(summary.maybeSent), "failovers": .stringConvertible(summary.failovers),
                        ])
                }
            } catch is CancellationError {
                // Cancelled mid-batch (the service group gave up waiting): what was claimed goes
                // back when its lease runs out.
                return
            } catch let failure as any LifelineFailure {
                // A busy database or unreachable providers: the batch was put back; try again soon.
                // (Each provider's health is its breaker's, which `/readyz` reads.)
                logger.warning("dispatch failed", metadata: ["failure": .string(failure.description)])
            }
            if claimed == 0 {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: idleWait) }
            }
        }
    }
}
