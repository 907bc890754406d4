import FoundationEssentials
import Hummingbird
import LifelineService
import LifelineStore

/// The outbox for operators: what is waiting, what was sent, and what failed and why, paged.
/// Codes never appear: their bodies are sealed, and the listing shows the placeholder.
struct OutboxRoutes {
    let environment: LifelineEnvironment
    let database: DatabaseWork

    func add(to group: RouterGroup<LifelineRequestContext>) {
        let environment = environment
        let database = database
        group.get("outbox") { request, _ in
            let page = try PageRequest(request, listing: "outbox")
            let status = try request.choice("status", as: OutboxStatus.self)
            let event = try request.identifier("event")
            let after = try page.afterIdentifier()
            let (items, last) = try await database.read {
                var items: [String] = []
                var last: Int64?
                try OutboxQueries(environment).forEachMessage(status: status, eventID: event, afterID: after, limit: page.limit) {
                    items.append(Self.object($0))
                    last = $0.id
                }
                return (items, last)
            }
            return page.body(items: items, lastKey: last.map(String.init))
        }
    }

    static func object(_ entry: OutboxEntry) -> String {
        JSONBody.object([
            ("id", .integer(Int(entry.id))), ("destination", .text(entry.destination)), ("kind", .text(entry.kind)),
            ("program", .text(entry.program.rawValue)), ("status", .text(entry.status.rawValue)),
            ("event_id", entry.eventID.map { .integer(Int($0)) } ?? .null), ("attempts", .integer(entry.attempts)),
            ("last_error", entry.lastError.map(JSONBody.Value.text) ?? .null), ("body", .text(entry.body)),
            ("created_at", .text(UTCTimestamp.string(from: entry.createdAt))),
        ])
    }
}
