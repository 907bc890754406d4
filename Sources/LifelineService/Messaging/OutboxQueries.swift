import LifelineStore
import LifelineVocabulary

/// Answers what is waiting in the outbox, and what became of each message.
public struct OutboxQueries: Sendable {
    public let environment: LifelineEnvironment
    public var database: Database { environment.database }
    public var clock: any WallClock { environment.clock }

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    /// Streams messages, oldest first, optionally only one status or one event's, and one page:
    /// those after the id `afterID`, at most `limit` of them.
    public func forEachMessage(
        status: OutboxStatus?, eventID: Int64? = nil, afterID: Int64? = nil, limit: Int? = nil,
        _ body: (OutboxEntry) throws -> Void
    ) throws {
        try database.read { connection in
            try OutboxStore(connection: connection).forEachMessage(
                status: status, eventID: eventID, afterID: afterID, limit: limit, body)
        }
    }

    /// How many messages are in each status, every status present (0 when none).
    public func countsByStatus() throws -> [OutboxStatus: Int] {
        let counts = try database.read { try OutboxStore(connection: $0).countsByStatus() }
        return Dictionary(uniqueKeysWithValues: OutboxStatus.allCases.map { ($0, counts[$0] ?? 0) })
    }

    /// Records a delivery receipt for a message named by its outbox id or its provider id.
    ///
    /// A receipt can only follow a send: a message still queued or suppressed was never handed
    /// to a provider, so a receipt for it is refused rather than believed.
    /// `provider` names who sent the receipt, when that says who carried the message: a receipt
    /// can arrive before dispatch has recorded the batch it went out in.
    public func recordReceipt(reference: String, status receipt: ReceiptStatus, error: String?, provider: String? = nil)
        throws -> (id: Int64, status: OutboxStatus)
    {
        try database.write { connection in
            let outbox = OutboxStore(connection: connection)
            guard let id = try outbox.messageID(forReceipt: reference.trimmingBlanks()),
                let current = try outbox.state(id: id)
            else { throw OutboxFailure.messageNotFound(reference) }
            guard let now = OutboxStatus(rawValue: current.status), ReceiptStatus.receivable.contains(now),
                current.attempts > 0
            else { throw OutboxFailure.receiptBeforeSend(id: id, status: current.status) }
            let status = receipt.outboxStatus
            try outbox.recordReceipt(
                id: id, status: status, error: receipt == .delivered ? nil : (error ?? receipt.rawValue), provider: provider,
                at: clock.now())
            return (id, status)
        }
    }
}

/// An outbox request that cannot be done.
public enum OutboxFailure: LifelineFailure, Equatable {
    case messageNotFound(String)
    case receiptBeforeSend(id: Int64, status: String)

    public var kind: FailureKind {
        switch self {
        case .messageNotFound: .inputMissing
        case .receiptBeforeSend: .badInput
        }
    }

    public var message: String {
        switch self {
        case .messageNotFound(let reference): "no outbox message has the id or provider id '\(reference)'"
        case .receiptBeforeSend(let id, let status): "message \(id) is \(status): it was never sent, so it has no receipt"
        }
    }

    public var remedy: String? { nil }
}
