import FoundationEssentials
import Glibc

/// The embedded gateway: appends one JSON object per message to a file (JSON Lines), for a
/// relay or an SMS modem script to pick up, and for demos and tests.
///
/// A batch is one `write` to a file opened with O_APPEND, then `fdatasync`, before dispatch
/// records the messages as sent: a sent message is on disk.
public struct FileGateway: MessageGateway {
    public let path: String
    public var name: String { "file" }

    public init(path: String) {
        self.path = path
    }

    /// `LIFELINE_OUTBOX_FILE`, else `<database>.outbox.jsonl` beside the database.
    public static func defaultPath(database: String) -> String {
        if let value = getenv("LIFELINE_OUTBOX_FILE").map({ String(cString: $0) }), !value.isEmpty { return value }
        return database + ".outbox.jsonl"
    }

    public func send(_ messages: [GatewayMessage]) throws -> [GatewayOutcome] {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw GatewayFailure.unavailable(gateway: name, reason: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(messages.count * 256)
        let sentAt = Date().formatted(.iso8601)
        for message in messages { Self.appendLine(for: message, sentAt: sentAt, to: &bytes) }
        do {
            try FileDescriptorWriter(descriptor: descriptor).write(bytes)
        } catch {
            throw GatewayFailure.unavailable(gateway: name, reason: "cannot write \(path): \(error)")
        }
        guard fdatasync(descriptor) == 0 else {
            throw GatewayFailure.unavailable(gateway: name, reason: "cannot sync \(path): \(String(cString: strerror(errno)))")
        }
        // No provider id: the file's reader answers with the message id or idempotency key,
        // and leaving the column empty keeps dispatch off the provider-id index.
        return messages.map { _ in .sent(providerID: nil) }
    }

    /// One JSON object and a newline, in a fixed key order.
    static func appendLine(for message: GatewayMessage, sentAt: String, to bytes: inout [UInt8]) {
        func key(_ name: String) { bytes.append(contentsOf: name.utf8) }
        key("{\"id\":\(message.id),\"idempotency_key\":")
        JSONString.append(message.idempotencyKey, to: &bytes)
        key(",\"channel\":")
        JSONString.append(message.channel, to: &bytes)
        key(",\"to\":")
        JSONString.append(message.destination, to: &bytes)
        key(",\"body\":")
        JSONString.append(message.body, to: &bytes)
        key(",\"program\":")
        JSONString.append(message.program, to: &bytes)
        key(",\"kind\":")
        JSONString.append(message.kind, to: &bytes)
        key(",\"event_id\":\(message.eventID.map(String.init) ?? "null"),\"attempt\":\(message.attempt),\"sent_at\":")
        JSONString.append(sentAt, to: &bytes)
        key("}\n")
    }
}
