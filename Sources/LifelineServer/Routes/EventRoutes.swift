import FoundationEssentials
import Hummingbird
import LifelineService
import LifelineStore

/// Continuity events for operators: create, list, show with delivery counts, preview, and
/// start, end or cancel (each idempotent: a repeat queues nothing more).
struct EventRoutes {
    let environment: LifelineEnvironment
    let database: DatabaseWork

    struct Draft: Decodable {
        let name: String
        let group: String
        let kind: EventKind?
        let startMessage: String
        let endMessage: String
        let startsAt: String?
        let endsAt: String?
        let notes: String?

        enum CodingKeys: String, CodingKey {
            case name, group, kind, notes
            case startMessage = "start_message"
            case endMessage = "end_message"
            case startsAt = "starts_at"
            case endsAt = "ends_at"
        }
    }

    func add(to group: RouterGroup<LifelineRequestContext>) {
        let environment = environment
        let database = database
        group.post("events") { request, context in
            let body = try await request.decode(as: Draft.self, context: context)
            let draft = EventDraft(
                name: body.name, group: body.group, kind: body.kind ?? .unplanned, startMessage: body.startMessage,
                endMessage: body.endMessage, startsAt: try body.startsAt.map { try EventDraft.time($0, option: "starts_at") },
                endsAt: try body.endsAt.map { try EventDraft.time($0, option: "ends_at") }, notes: body.notes)
            let id = try await database.write { try EventService(environment).create(draft) }
            return JSONBody.response(["id": .integer(Int(id)), "state": .text(EventState.draft.rawValue)], status: .created)
        }
        group.get("events") { request, _ in
            let state = try request.choice("state", as: EventState.self)
            let events = try await database.read { try EventService(environment).list(state: state) }
            return JSONBody.raw("{\"items\":[" + events.map { Self.object($0.record) }.joined(separator: ",") + "]}")
        }
        group.get("events/:id") { _, context in
            let id = try Self.eventID(context)
            let (event, deliveries) = try await database.read { try EventService(environment).show(id: id) }
            let counts = deliveries.map {
                JSONBody.object([("alert", .text($0.alert)), ("status", .text($0.status.rawValue)), ("count", .integer($0.count))])
            }
            return JSONBody.raw(Self.object(event.record, more: [("deliveries", .array(counts))]))
        }
        group.get("events/:id/preview") { _, context in
            let id = try Self.eventID(context)
            let preview = try await database.read { try EventService(environment).preview(id: id) }
            func length(_ message: SMSLength) -> String {
                JSONBody.object([
                    ("encoding", .text(message.encoding.rawValue)), ("units", .integer(message.units)),
                    ("parts", .integer(message.segments)),
                ])
            }
            let skipped = JSONBody.object(EventPreview.skipReasons.map { ($0, .integer(preview.skipped[$0] ?? 0)) })
            return JSONBody.raw(
                "{\"id\":\(preview.eventID),\"recipients\":\(preview.recipients),\"skipped\":\(skipped),"
                    + "\"start_message\":\(length(preview.startMessage)),\"end_message\":\(length(preview.endMessage))}")
        }
        for transition in EventTransition.allCases {
            group.post("events/:id/\(transition.rawValue)") { _, context in
                let id = try Self.eventID(context)
                let outcome = try await database.write { try EventService(environment).perform(transition, id: id) }
                return JSONBody.response([
                    ("id", .integer(Int(outcome.eventID))), ("state", .text(outcome.state.rawValue)),
                    ("queued", .integer(outcome.queued)), ("already_done", .text(outcome.alreadyDone ? "yes" : "no")),
                ])
            }
        }
    }

    static func eventID(_ context: LifelineRequestContext) throws -> Int64 {
        let text = try context.parameters.require("id")
        guard let id = Int64(text), id > 0 else {
            throw Problem(status: .notFound, code: "not_found", detail: "no continuity event has the id '\(text)'")
        }
        return id
    }

    static func object(_ record: EventRecord, more: [(String, JSONBody.Value)] = []) -> String {
        func time(_ date: Date?) -> JSONBody.Value { date.map { .text(UTCTimestamp.string(from: $0)) } ?? .null }
        return JSONBody.object([
            ("id", .integer(Int(record.id))), ("name", .text(record.name)), ("group", .text(record.groupName)),
            ("kind", .text(record.kind.rawValue)), ("state", .text(record.state.rawValue)),
            ("start_message", .text(record.startMessage)), ("end_message", .text(record.endMessage)),
            ("starts_at", time(record.startsAt)), ("ends_at", time(record.endsAt)),
            ("notes", record.notes.map(JSONBody.Value.text) ?? .null), ("created_at", time(record.createdAt)),
            ("started_at", time(record.startedAt)), ("ended_at", time(record.endedAt)),
        ] + more)
    }
}

extension EventKind: Decodable {}
