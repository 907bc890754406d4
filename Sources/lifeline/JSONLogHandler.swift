import FoundationEssentials
import LifelineService
import Logging

/// swift-log handler writing one JSON object per line to standard error: time, level, label,
/// message and metadata (the request id among it). swift-log ships only a plain-text handler,
/// and a log shipper wants fields. Callers never put a code, password, token or message body
/// in a log: the handler writes what it is given.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        var line = "{\"time\":" + JSONString.quoted(UTCTimestamp.string(from: Date())) + ",\"level\":"
            + JSONString.quoted(event.level.rawValue) + ",\"label\":" + JSONString.quoted(label) + ",\"message\":"
            + JSONString.quoted(event.message.description)
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            line += "," + JSONString.quoted(key) + ":" + JSONString.quoted(value.description)
        }
        FileDescriptorWriter.standardError.writeIgnoringErrors(line + "}\n")
    }
}
