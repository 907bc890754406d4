import LifelineStore
import LifelineVocabulary

/// One outgoing message as a gateway receives it.
public struct GatewayMessage: Sendable, Equatable {
    public let id: Int64
    public let channel: MessageChannel
    public let destination: String
    public let body: String
    public let program: Program
    public let kind: String
    public let eventID: Int64?
    /// Which attempt this is, from 1.
    public let attempt: Int

    /// The same for every attempt at one message, so a provider can drop a repeat after a crash.
    public var idempotencyKey: String { OutboxStore.idempotencyKeyPrefix + String(id) }

    public init(
        id: Int64, channel: MessageChannel, destination: String, body: String, program: Program, kind: String, eventID: Int64?,
        attempt: Int
    ) {
        self.id = id
        self.channel = channel
        self.destination = destination
        self.body = body
        self.program = program
        self.kind = kind
        self.eventID = eventID
        self.attempt = attempt
    }

    init(_ claimed: ClaimedMessage, body: String? = nil) {
        self.init(
            id: claimed.id, channel: claimed.channel, destination: claimed.destination, body: body ?? claimed.body,
            program: claimed.program, kind: claimed.kind, eventID: claimed.eventID, attempt: claimed.attempts)
    }
}

extension GatewayMessage {
    /// The message as the JSON object every gateway sends, keys in a fixed order: `id`,
    /// `idempotency_key`, `channel`, `to`, `body`, `program`, `kind`, `event_id`, `attempt`, `sent_at`.
    public func appendJSON(sentAt: String, to bytes: inout [UInt8]) {
        func key(_ text: String) { bytes.append(contentsOf: text.utf8) }
        key("{\"id\":\(id),\"idempotency_key\":")
        JSONString.append(idempotencyKey, to: &bytes)
        key(",\"channel\":")
        JSONString.append(channel.rawValue, to: &bytes)
        key(",\"to\":")
        JSONString.append(destination, to: &bytes)
        key(",\"body\":")
        JSONString.append(body, to: &bytes)
        key(",\"program\":")
        JSONString.append(program.rawValue, to: &bytes)
        key(",\"kind\":")
        JSONString.append(kind, to: &bytes)
        key(",\"event_id\":\(eventID.map(String.init) ?? "null"),\"attempt\":\(attempt),\"sent_at\":")
        JSONString.append(sentAt, to: &bytes)
        key("}")
    }
}

/// What a gateway did with one message.
public enum GatewayOutcome: Sendable, Equatable {
    /// Accepted, with the provider's id for it when it gave one.
    case sent(providerID: String?)
    /// Not accepted this time (a server error, a connection that never opened): try again, not
    /// before `after` if given.
    case retry(reason: String, after: Duration?)
    /// Not accepted: the provider asks to be sent less (HTTP 429), not before `after` if given.
    /// It slows that provider down; it is not a sign the provider is failing.
    case throttled(reason: String, after: Duration?)
    /// Refused for good (a 4xx other than 429): retrying would not help.
    case failed(reason: String)
    /// The request went out and no answer came back (a timeout, a connection closed mid-answer):
    /// the provider may have accepted it. Sent again, and counted as `maybe_sent`.
    case unknown(reason: String)

    /// Whether the provider is known not to have taken the message, so another may send it.
    var wasNotAccepted: Bool {
        switch self {
        case .retry, .throttled: true
        case .sent, .failed, .unknown: false
        }
    }
}

/// Where outgoing messages go: a file, a webhook, an SMS provider. Dispatch hands over a batch
/// and records each outcome.
public protocol MessageGateway {
    /// The gateway's name in reports.
    var name: String { get }
    /// One outcome per message, in order. Throws ``GatewayFailure`` when the gateway cannot be
    /// reached at all; the batch is then put back for a later run.
    func send(_ messages: [GatewayMessage]) async throws -> [GatewayOutcome]
}

/// A gateway that cannot take messages at all.
public enum GatewayFailure: LifelineFailure, Equatable {
    case unavailable(gateway: String, reason: String)
    case notConfigured(variable: String, reason: String)

    public var kind: FailureKind {
        switch self {
        case .unavailable: .gatewayUnavailable
        case .notConfigured: .configuration
        }
    }

    public var message: String {
        switch self {
        case .unavailable(let gateway, let reason): "the \(gateway) gateway is unavailable: \(reason)"
        case .notConfigured(let variable, let reason): "\(variable) \(reason)"
        }
    }

    public var remedy: String? {
        switch self {
        case .unavailable: "the messages stay queued; run `lifeline outbox dispatch` again once it is back"
        case .notConfigured: nil
        }
    }
}
