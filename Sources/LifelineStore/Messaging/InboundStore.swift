import FoundationEssentials

/// The inbound_messages table: every SMS received and what it did.
public struct InboundStore {
    public let connection: any SQLConnection

    public init(connection: any SQLConnection) {
        self.connection = connection
    }

    /// Records one received message, with the provider's id for it when there is one; returns its id.
    @discardableResult
    public func record(
        from: String, number: String?, text: String, action: String, replied: Bool, providerMessageID: String?, at date: Date
    ) throws -> Int64 {
        try connection.insert(
            """
            INSERT INTO inbound_messages (received_at, from_number, number, text, action, replied, provider_message_id)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            date, from, number, text, action, replied, providerMessageID)
    }

    /// What an already received message did, found by the provider's id for it.
    public func handled(providerMessageID: String) throws -> (action: String, replied: Bool)? {
        try connection.queryFirst(
            "SELECT action, replied FROM inbound_messages WHERE provider_message_id = ?", providerMessageID
        ) { row in (row.string(at: 0), try row.get(1, as: Bool.self)) }
    }
}
