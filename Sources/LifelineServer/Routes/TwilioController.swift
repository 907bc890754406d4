import HTTPTypes
import Hummingbird
import LifelineService

/// Twilio's webhooks: replies (STOP, YES, HELP…) through the same keyword handling as
/// `sms inbound`, and delivery receipts. Accepted only with a valid `X-Twilio-Signature`,
/// else 403 and nothing changes. Replies to the sender go through the outbox like every
/// message, so the answer is an empty TwiML `<Response/>`.
struct TwilioController {
    let environment: LifelineEnvironment
    let database: Database
    let configuration: ServerConfiguration

    func addRoutes(to router: Router<LifelineRequestContext>) {
        router.post("v1/webhooks/twilio/sms", use: receiveSMS)
        router.post("v1/webhooks/twilio/status", use: receiveStatus)
    }

    @Sendable func receiveSMS(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let fields = try await verifiedFields(request, context: context)
        let from = fields.first { $0.name == "From" }?.value ?? ""
        let text = fields.first { $0.name == "Body" }?.value ?? ""
        // Twilio retries a webhook it got no answer to, with the same MessageSid; a replayed
        // capture carries it too. Either way the message is handled once.
        let sid = fields.first { $0.name == "MessageSid" }?.value ?? ""
        let messageID = sid.isEmpty ? nil : "twilio:" + sid.prefix(64)
        let outcome = try await database.write {
            try ConsentService(environment).handleInbound(from: from, text: text, providerMessageID: messageID)
        }
        context.logger.info("inbound sms", metadata: ["action": .string(outcome.action), "repeat": .stringConvertible(outcome.isRepeat)])
        ServerMetrics.inbound(action: outcome.action)
        return Self.emptyTwiML
    }

    @Sendable func receiveStatus(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let fields = try await verifiedFields(request, context: context)
        let sid = fields.first { $0.name == "MessageSid" }?.value ?? ""
        let status = fields.first { $0.name == "MessageStatus" }?.value ?? ""
        let error = fields.first { $0.name == "ErrorCode" }?.value
        // Only final states are receipts; queued, sent and the like say nothing new.
        guard let receipt = ReceiptStatus(providerWord: status) else { return Self.emptyTwiML }
        _ = try await database.write {
            try OutboxQueries(environment).recordReceipt(
                reference: sid, status: receipt, error: error.map { "Twilio error \($0)" } ?? status, provider: ProviderName.twilio)
        }
        return Self.emptyTwiML
    }

    /// The form fields of a request whose signature is valid; 403 otherwise.
    private func verifiedFields(_ request: Request, context: LifelineRequestContext) async throws -> [(name: String, value: String)] {
        guard let token = configuration.twilioAuthToken else {
            throw Problem(
                status: .serviceUnavailable, code: "not_configured",
                detail: "Twilio is not configured: set LIFELINE_TWILIO_AUTH_TOKEN")
        }
        let body = try await request.body.collect(upTo: 64 * 1024)
        let fields = FormEncoding.parse(Array(buffer: body))
        let url = signedURL(request)
        guard let presented = request.headers[Self.signatureHeader],
            TwilioSignature.isValid(presented, authToken: token, url: url, parameters: fields)
        else {
            context.logger.warning("refused a webhook with a missing or wrong X-Twilio-Signature")
            throw Problem.forbidden("the X-Twilio-Signature is missing or does not match this request")
        }
        return fields
    }

    /// The URL Twilio called: `--public-url` plus the path and query behind a proxy, else the
    /// request's own scheme, Host, path and query.
    private func signedURL(_ request: Request) -> String {
        let pathAndQuery = request.uri.description
        if let publicURL = configuration.publicURL {
            return (publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL) + pathAndQuery
        }
        let host = request.head.authority ?? "localhost"
        return (request.head.scheme ?? "http") + "://" + host + pathAndQuery
    }

    static let signatureHeader = HTTPField.Name("X-Twilio-Signature")!

    static var emptyTwiML: Response {
        Response(
            status: .ok, headers: [.contentType: "text/xml"],
            body: .init(byteBuffer: ByteBuffer(string: "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>")))
    }
}

/// The header names Twilio's webhooks use, for clients and tests.
public enum TwilioRoutesHeader {
    public static let signature = TwilioController.signatureHeader
}
