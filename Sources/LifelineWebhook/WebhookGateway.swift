import AsyncHTTPClient
import FoundationEssentials
import LifelineService
import NIOCore

/// The webhook gateway: one signed HTTP POST of the message's JSON per message, to
/// `LIFELINE_WEBHOOK_URL`, several in flight at once.
///
/// Headers: `Idempotency-Key` (the same on every attempt at one message),
/// `X-Lifeline-Timestamp` (Unix seconds) and `X-Lifeline-Signature` (see ``WebhookSignature``).
/// A 2xx answer is sent (the provider id is the body's `id` or `message_id`), 429 and 5xx are
/// retried honouring `Retry-After`, other answers fail, and timeouts and connection errors
/// are retried.
public final class WebhookGateway: MessageGateway, Sendable {
    public let name = ProviderName.webhook
    public let configuration: WebhookConfiguration
    private let clock: any WallClock
    private let client: HTTPClient

    /// A process-wide client that never follows a redirect: a 3xx would re-POST the signed body,
    /// a code included, to wherever the receiver points, even from https to http. Kept for the
    /// life of the process, as AsyncHTTPClient's own shared client is, so it needs no shutdown.
    /// A refused connection fails its requests at once instead of retrying until their
    /// timeout: the dispatcher, not the client, decides what to do about a provider that is down.
    public static let noRedirects: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public init(configuration: WebhookConfiguration, clock: any WallClock, client: HTTPClient = WebhookGateway.noRedirects) {
        self.configuration = configuration
        self.clock = clock
        self.client = client
    }

    /// Posts the batch, up to ``WebhookConfiguration/concurrency`` requests at once, and
    /// returns when every message has an answer.
    public func send(_ messages: [GatewayMessage]) async throws -> [GatewayOutcome] {
        try await ConcurrentRequests.each(messages, atOnce: configuration.concurrency, credentials: "LIFELINE_WEBHOOK_SECRET") {
            await self.post($0)
        }
    }

    private func post(_ message: GatewayMessage) async -> ConcurrentRequests.Answer {
        let now = clock.now()
        let timestamp = String(Int(now.timeIntervalSince1970))
        var body: [UInt8] = []
        message.appendJSON(sentAt: UTCTimestamp.string(from: now), to: &body)
        var request = HTTPClientRequest(url: configuration.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: message.idempotencyKey)
        request.headers.add(name: "X-Lifeline-Timestamp", value: timestamp)
        request.headers.add(
            name: "X-Lifeline-Signature",
            value: WebhookSignature.header(secret: configuration.secret, timestamp: timestamp, body: body))
        request.body = .bytes(ByteBuffer(bytes: body))
        return await WebhookResponse.outcome(of: request, for: message, through: client, timeout: configuration.timeout, gateway: "webhook")
    }
}
