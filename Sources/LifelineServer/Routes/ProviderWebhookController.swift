import FoundationEssentials
import HTTPTypes
import Hummingbird
import LifelineService

/// Any provider's inbound SMS and delivery receipts, as JSON signed like Lifeline's outgoing
/// webhooks (`X-Lifeline-Timestamp`, `X-Lifeline-Signature`, within five minutes), else 403.
struct ProviderWebhookController {
    let environment: LifelineEnvironment
    let database: Database
    /// The shared secret (`LIFELINE_WEBHOOK_SECRET`); nil: these routes answer 503.
    let secret: [UInt8]?

    struct Inbound: Decodable {
        /// The provider's id for the message: a second delivery with the same id is answered as
        /// the first was, and changes nothing.
        let id: String
        let from: String
        let text: String
    }

    struct Receipt: Decodable {
        /// The outbox id, the idempotency key (`lifeline-<id>`) or the provider's id.
        let reference: String
        let status: String
        let error: String?
    }

    func addRoutes(to router: Router<LifelineRequestContext>) {
        router.post("v1/webhooks/inbound", use: receiveInbound)
        router.post("v1/webhooks/receipts", use: receiveReceipt)
    }

    @Sendable func receiveInbound(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let body = try await verifiedBody(request, context: context)
        let inbound = try Self.decode(Inbound.self, from: body)
        guard (1...128).contains(inbound.id.utf8.count) else {
            throw Problem(status: .badRequest, code: "usage", detail: "id must be the provider's id for the message, 1 to 128 bytes")
        }
        let outcome = try await database.write {
            try ConsentService(environment).handleInbound(from: inbound.from, text: inbound.text, providerMessageID: "webhook:" + inbound.id)
        }
        ServerMetrics.inbound(action: outcome.action)
        return InboundAnswer(action: outcome.action, replied: outcome.replied)
    }

    @Sendable func receiveReceipt(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let body = try await verifiedBody(request, context: context)
        let receipt = try Self.decode(Receipt.self, from: body)
        // This contract's words are the vocabulary itself: a provider's own words are its relay's to map.
        guard let status = ReceiptStatus(rawValue: receipt.status) else {
            let words = ReceiptStatus.allCases.map(\.rawValue).joined(separator: " or ")
            throw Problem(status: .badRequest, code: "usage", detail: "status must be \(words), not '\(receipt.status)'")
        }
        let result = try await database.write {
            try OutboxQueries(environment).recordReceipt(reference: receipt.reference, status: status, error: receipt.error)
        }
        return ReceiptAnswer(id: result.id, status: result.status.rawValue)
    }

    private func verifiedBody(_ request: Request, context: LifelineRequestContext) async throws -> [UInt8] {
        guard let secret else {
            throw Problem(status: .serviceUnavailable, code: "not_configured", detail: "provider webhooks need LIFELINE_WEBHOOK_SECRET")
        }
        let body = Array(buffer: try await request.body.collect(upTo: 64 * 1024))
        guard
            WebhookSignature.accepts(
                request.headers[Self.signature], timestamp: request.headers[Self.timestamp], body: body, secret: secret,
                now: environment.clock.now())
        else {
            context.logger.warning("refused a provider webhook with a missing, wrong or stale signature")
            throw Problem.forbidden("X-Lifeline-Signature is missing or wrong, or X-Lifeline-Timestamp is not within five minutes")
        }
        return body
    }

    private static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw Problem(status: .badRequest, code: "usage", detail: "the body is not the JSON this webhook takes")
        }
    }

    static let signature = HTTPField.Name("X-Lifeline-Signature")!
    static let timestamp = HTTPField.Name("X-Lifeline-Timestamp")!

    struct InboundAnswer: ResponseEncodable {
        let action: String
        let replied: Bool
    }

    struct ReceiptAnswer: ResponseEncodable {
        let id: Int64
        let status: String
    }
}
