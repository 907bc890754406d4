import FoundationEssentials

/// The inbound_messages table: every SMS received and what it did.
public struct InboundStore {
    public let connection: SQLiteConnection

    public init(connection: SQLiteConnection) {
        self.connection = connection
    }

    /// Records one received message.
    public func record(from: String, number: String?, text: String, action: String, at date: Date) throws {
        try connection.execute(
            "INSERT INTO inbound_messages (received_at, from_number, number, text, action) VALUES (?, ?, ?, ?, ?)",
            date, from, number, text, action)
    }
}
