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
    public let name = "twilio"
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

/// `application/x-www-form-urlencoded`: every byte but unreserved ones percent-encoded.
enum FormEncoding {
    static func encode(_ fields: [(String, String)]) -> String {
        fields.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0x0F, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
