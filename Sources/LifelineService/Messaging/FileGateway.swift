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
        var lines = ""
        let sentAt = Date().formatted(.iso8601)
        for message in messages { lines += Self.line(for: message, sentAt: sentAt) }
        do {
            try FileDescriptorWriter(descriptor: descriptor).write(Array(lines.utf8))
        } catch {
            throw GatewayFailure.unavailable(gateway: name, reason: "cannot write \(path): \(error)")
        }
        guard fdatasync(descriptor) == 0 else {
            throw GatewayFailure.unavailable(gateway: name, reason: "cannot sync \(path): \(String(cString: strerror(errno)))")
        }
        return messages.map { .sent(providerID: $0.idempotencyKey) }
    }

    static func line(for message: GatewayMessage, sentAt: String) -> String {
        var line = "{\"id\":\(message.id),\"idempotency_key\":\(JSONString.quoted(message.idempotencyKey))"
        line += ",\"channel\":\(JSONString.quoted(message.channel)),\"to\":\(JSONString.quoted(message.destination))"
        line += ",\"body\":\(JSONString.quoted(message.body)),\"program\":\(JSONString.quoted(message.program))"
        line += ",\"kind\":\(JSONString.quoted(message.kind)),\"event_id\":\(message.eventID.map(String.init) ?? "null")"
        line += ",\"attempt\":\(message.attempt),\"sent_at\":\(JSONString.quoted(sentAt))}\n"
        return line
    }
}
