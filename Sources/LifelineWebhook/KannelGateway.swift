import AsyncHTTPClient
import LifelineService

/// Sends SMS through Kannel's `sendsms` HTTP interface: one GET per message with `username`,
/// `password`, `to`, `text` (UTF-8), `charset` and `coding` (0 for GSM-7, 2 for UCS-2, as
/// ``SMSLength`` measures the body), optionally `from` and `smsc`, and a `dlr-url` back to
/// `/v1/webhooks/kannel/status` carrying the message's id and its token. Kannel answers 202
/// when it has queued the message; 403 is a refused username or password, 503 a temporary
/// failure (retried), other answers fail.
public final class KannelGateway: MessageGateway, Sendable {
    public let name = ProviderName.kannel
    public let configuration: KannelConfiguration
    private let client: HTTPClient

    public init(configuration: KannelConfiguration, client: HTTPClient = WebhookGateway.noRedirects) {
        self.configuration = configuration
        self.client = client
    }

    public func send(_ messages: [GatewayMessage]) async throws -> [GatewayOutcome] {
        try await ConcurrentRequests.each(
            messages, atOnce: configuration.concurrency, credentials: "the Kannel credentials (LIFELINE_KANNEL_USERNAME, _PASSWORD)"
        ) { await self.get($0) }
    }

    /// The `sendsms` URL for one message.
    func url(for message: GatewayMessage) -> String {
        let length = SMSLength(body: message.body)
        var fields = [
            ("username", configuration.username), ("password", configuration.password), ("to", message.destination),
            ("text", message.body), ("charset", "UTF-8"), ("coding", length.encoding == .gsm7 ? "0" : "2"),
        ]
        if let from = configuration.from { fields.append(("from", from)) }
        if let smsc = configuration.smsc { fields.append(("smsc", smsc)) }
        if let receiptURL = configuration.receiptURL, let tokens = configuration.tokens {
            // Kannel fills in %d (the report's type) and %A (the SMSC's answer) when it calls.
            let callback =
                receiptURL + "?id=\(message.id)&token=\(tokens.receipt(messageID: message.id))&type=%d&answer=%A"
            fields += [("dlr-mask", String(KannelConfiguration.receiptMask)), ("dlr-url", callback)]
        }
        let separator = configuration.sendsmsURL.contains("?") ? "&" : "?"
        return configuration.sendsmsURL + separator + FormEncoding.encode(fields)
    }

    private func get(_ message: GatewayMessage) async -> ConcurrentRequests.Answer {
        guard message.channel == .sms else {
            return ConcurrentRequests.Answer(outcome: .failed(reason: "Kannel sends SMS only, not \(message.channel.rawValue)"), status: nil)
        }
        var request = HTTPClientRequest(url: url(for: message))
        request.method = .GET
        return await WebhookResponse.outcome(of: request, for: message, through: client, timeout: configuration.timeout, gateway: "Kannel")
    }
}
