import Hummingbird
import LifelineService

/// Kannel's callbacks: delivery receipts (the `dlr-url` each message carries) and replies (an
/// `sms-service` `get-url`), so STOP, YES and HELP work through Kannel as through Twilio.
/// Kannel cannot sign a request: each URL carries a token (``KannelTokens``) and a request
/// without the right one is 403 and changes nothing.
struct KannelController {
    let environment: LifelineEnvironment
    let database: Database

    func addRoutes(to router: Router<LifelineRequestContext>) {
        router.get("v1/webhooks/kannel/status", use: receiveStatus)
        router.get("v1/webhooks/kannel/sms", use: receiveSMS)
    }

    /// `?id=<outbox id>&token=<its token>&type=%d&answer=%A`.
    struct Receipt {
        let id: Int64
        let token: String
        let type: Int
        let answer: String?

        /// The query's values; a 400 naming the parameter that is missing or wrong.
        init(_ request: Request) throws {
            guard let id = try request.identifier("id") else { throw Problem.missingParameter("id") }
            self.id = id
            token = try request.requiredParameter("token")
            type = try request.integer("type", in: 0...255, default: -1)
            guard type >= 0 else { throw Problem.missingParameter("type") }
            answer = request.uri.queryParameters.get("answer")
        }
    }

    /// `?token=<the replies token>&from=%p&text=%a&id=%I`.
    struct Reply {
        let token: String
        let from: String
        let text: String
        /// Kannel's id for the message: a second delivery of it changes nothing.
        let id: String?

        init(_ request: Request) throws {
            token = try request.requiredParameter("token")
            from = try request.requiredParameter("from")
            text = request.uri.queryParameters.get("text") ?? ""
            id = request.uri.queryParameters.get("id")
        }
    }

    @Sendable func receiveStatus(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let receipt = try Receipt(request)
        guard try tokens().acceptsReceipt(receipt.token, messageID: receipt.id) else {
            context.logger.warning("refused a Kannel receipt with a wrong token")
            throw Problem.forbidden("the token does not match this message")
        }
        // Reports that are not final (buffered, accepted by the SMSC) say nothing new.
        guard let status = ReceiptStatus(kannelReportType: receipt.type) else { return Acknowledgement(recorded: false) }
        _ = try await database.write {
            try OutboxQueries(environment).recordReceipt(
                reference: String(receipt.id), status: status, error: receipt.answer.map { "Kannel: \($0)" }, provider: ProviderName.kannel)
        }
        return Acknowledgement(recorded: true)
    }

    @Sendable func receiveSMS(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let reply = try Reply(request)
        guard try tokens().acceptsReplies(reply.token) else {
            context.logger.warning("refused a Kannel reply with a wrong token")
            throw Problem.forbidden("the token is not this installation's")
        }
        let messageID = reply.id.flatMap { $0.isEmpty ? nil : "kannel:" + $0.prefix(64) }
        let outcome = try await database.write {
            try ConsentService(environment).handleInbound(from: reply.from, text: reply.text, providerMessageID: messageID)
        }
        context.logger.info("inbound sms", metadata: ["action": .string(outcome.action), "repeat": .stringConvertible(outcome.isRepeat)])
        ServerMetrics.inbound(action: outcome.action)
        // Kannel's sms-service has max-messages = 0: the answer goes out through the outbox,
        // paced and prioritised like every message, not as this response's body.
        return Acknowledgement(recorded: true)
    }

    /// The tokens from the secret as it is now; with no secret yet, no token can be right.
    private func tokens() throws -> KannelTokens {
        guard let keys = try environment.secret.keys(create: false, random: environment.random) else {
            throw Problem(status: .serviceUnavailable, code: "not_configured", detail: "Lifeline has no secret yet: run `lifeline kannel config`")
        }
        return KannelTokens(keys: keys)
    }

    struct Acknowledgement: ResponseEncodable {
        let recorded: Bool
    }
}
