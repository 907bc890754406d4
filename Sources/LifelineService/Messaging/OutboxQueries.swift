import LifelineStore

/// A status an outbox message can have.
public enum OutboxStatus: String, Sendable, CaseIterable {
    case queued, sending, sent, delivered, failed, suppressed
}

/// Answers what is waiting in the outbox, and what became of each message.
public struct OutboxQueries: Sendable {
    public let settings: DatabaseSettings

    public init(settings: DatabaseSettings) {
        self.settings = settings
    }

    /// Streams messages, oldest first, optionally only one status.
    public func forEachMessage(status: OutboxStatus?, _ body: (OutboxEntry) throws -> Void) throws {
        let connection = try settings.openCurrent()
        defer { connection.close() }
        try settings.translatingErrors {
            try connection.read { try OutboxStore(connection: connection).forEachMessage(status: status?.rawValue, body) }
        }
    }
}
