import FoundationEssentials
import Hummingbird
import LifelineService
import LifelineStore

/// The outbox for operators: what is waiting, what was sent, and what failed and why, paged.
/// Codes never appear: their bodies are sealed, and the listing shows the placeholder.
struct OutboxController {
    let environment: LifelineEnvironment
    let database: Database

    func addRoutes(to group: RouterGroup<LifelineRequestContext>) {
        group.get("outbox", use: getOutbox)
    }

    @Sendable func getOutbox(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let page = try PageRequest(request, listing: "outbox")
        let status = try request.choice("status", as: OutboxStatus.self)
        let event = try request.identifier("event")
        let after = try page.afterIdentifier()
        let (items, last) = try await database.read {
            var items: [Message] = []
            var last: Int64?
            try OutboxQueries(environment).forEachMessage(status: status, eventID: event, afterID: after, limit: page.limit) {
                items.append(Message($0))
                last = $0.id
            }
            return (items, last)
        }
        return page.page(items, lastKey: last.map(String.init))
    }

    /// One outbox message; a code's body is the sealed placeholder.
    struct Message: Encodable, Sendable {
        let id: Int64
        let destination: String
        let kind: String
        let program: String
        let status: String
        @Nullable var eventID: Int64?
        let attempts: Int
        @Nullable var lastError: String?
        let body: String
        let createdAt: APITime
        @Nullable var provider: String?
        let maybeSent: Int

        init(_ entry: OutboxEntry) {
            id = entry.id
            destination = entry.destination
            kind = entry.kind
            program = entry.program.rawValue
            status = entry.status.rawValue
            eventID = entry.eventID
            attempts = entry.attempts
            lastError = entry.lastError
            body = entry.body
            createdAt = APITime(entry.createdAt)
            provider = entry.provider
            maybeSent = entry.maybeSent
        }

        enum CodingKeys: String, CodingKey {
            case id, destination, kind, program, status, attempts, body
            case eventID = "event_id"
            case lastError = "last_error"
            case createdAt = "created_at"
            case provider
            case maybeSent = "maybe_sent"
        }
    }
}
