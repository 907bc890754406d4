import AsyncHTTPClient
import FoundationEssentials
import LifelineService
import NIOCore

/// Sends SMS through Twilio's Messages API: one form-encoded POST per message to
/// `{base}/2010-04-01/Accounts/{AccountSid}/Messages.json` with `To` (with `+`), `From` or
/// `MessagingServiceSid`, `Body` and `StatusCallback`, under HTTP Basic auth. A 2xx is sent
/// (Twilio's `sid` becomes the provider id); 429 and 5xx are retried after `Retry-After`;
/// other answers fail with Twilio's error `code`. Redirects are never followed.
public final class TwilioGateway: MessageGateway, Sendable {
    public let name = ProviderName.twilio
    public let configuration: TwilioConfiguration
    private let client: HTTPClient

    public init(configuration: TwilioConfiguration, client: HTTPClient = WebhookGateway.noRedirects) {
        self.configuration = configuration
        self.client = client
    }

    public func send(_ messages: [GatewayMessage]) async throws -> [GatewayOutcome] {
        try await ConcurrentRequests.each(
            messages, atOnce: configuration.concurrency, credentials: "the Twilio credentials (LIFELINE_TWILIO_*)"
        ) { await self.post($0) }
    }

    private func post(_ message: GatewayMessage) async -> ConcurrentRequests.Answer {
        guard message.channel == .sms else {
            return ConcurrentRequests.Answer(outcome: .failed(reason: "Twilio sends SMS only, not \(message.channel.rawValue)"), status: nil)
        }
        var fields = [("To", "+" + message.destination), ("Body", message.body)]
        switch configuration.sender {
        case .from(let number): fields.append(("From", number))
        case .messagingService(let sid): fields.append(("MessagingServiceSid", sid))
        }
        if let callback = configuration.statusCallback { fields.append(("StatusCallback", callback)) }
        var request = HTTPClientRequest(url: "\(configuration.apiBase)/2010-04-01/Accounts/\(configuration.accountSID)/Messages.json")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let credentials = Data("\(configuration.username):\(configuration.password)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        request.body = .bytes(ByteBuffer(string: FormEncoding.encode(fields)))
        return await WebhookResponse.outcome(of: request, for: message, through: client, timeout: configuration.timeout, gateway: "Twilio")
    }
}
