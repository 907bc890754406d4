import FoundationEssentials
import Glibc

/// The embedded gateway: appends one JSON object per message to a file (JSON Lines), for a
/// relay or an SMS modem script to pick up, and for demos and tests.
///
/// A batch is one `write` to a file opened with O_APPEND, then `fdatasync`, before dispatch
/// records the messages as sent: a sent message is on disk. A run killed mid-write leaves a
/// partial last line; the next batch cuts it off before appending (under an exclusive `flock`,
/// so no other dispatcher is mid-write), so every line of the file parses, and the messages of
/// the broken line, never recorded as sent, go out again on whole lines. The file is a
/// ``PrivateFile`` (mode 0600, never written through a link).
public struct FileGateway: MessageGateway, Sendable {
    public let path: String
    public let clock: any WallClock
    public var name: String { ProviderName.file }

    public init(path: String, clock: any WallClock) {
        self.path = path
        self.clock = clock
    }

    /// The default file: `<database>.outbox.jsonl` beside the database.
    public static func defaultPath(database: String) -> String {
        database + ".outbox.jsonl"
    }

    public func send(_ messages: [GatewayMessage]) async throws -> [GatewayOutcome] {
        let descriptor: Int32
        do {
            descriptor = try PrivateFile.open(path, .append)
        } catch {
            throw GatewayFailure.unavailable(gateway: name, reason: "cannot open \(path): \(error.reason)")
        }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else {
            throw GatewayFailure.unavailable(gateway: name, reason: "cannot lock \(path): \(String(cString: strerror(errno)))")
        }
        do {
            try PrivateFile.cutToLastLine(descriptor)
        } catch {
            throw GatewayFailure.unavailable(gateway: name, reason: "cannot read \(path): \(error.reason)")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(messages.count * 256)
        let sentAt = UTCTimestamp.string(from: clock.now())
        for message in messages {
            message.appendJSON(sentAt: sentAt, to: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
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
}
