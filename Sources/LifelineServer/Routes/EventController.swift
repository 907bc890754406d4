import FoundationEssentials
import Hummingbird
import LifelineService
import LifelineStore

/// Continuity events for operators: create, list, show with delivery counts, preview, and
/// start, end or cancel (each idempotent: a repeat queues nothing more).
struct EventController {
    let environment: LifelineEnvironment
    let database: Database

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

    func addRoutes(to group: RouterGroup<LifelineRequestContext>) {
        group.post("events", use: postEvents)
        group.get("events", use: getEvents)
        group.get("events/:id", use: getEvent)
        group.get("events/:id/preview", use: getEventPreview)
        for transition in EventTransition.allCases {
            group.post("events/:id/\(transition.rawValue)") { _, context in try await perform(transition, context: context) }
        }
    }

    /// Starts, ends or cancels the event: state-checked, so a repeat queues nothing more.
    @Sendable func perform(_ transition: EventTransition, context: LifelineRequestContext) async throws -> Transitioned {
        let id = try Self.eventID(context)
        let actor = ActorName.apiKey(name: context.client?.name).recorded
        let outcome = try await database.write { try EventService(environment).perform(transition, id: id, by: actor) }
        return Transitioned(id: outcome.eventID, state: outcome.state.rawValue, queued: outcome.queued, alreadyDone: outcome.alreadyDone)
    }

    @Sendable func postEvents(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let body = try await request.decode(as: Draft.self, context: context)
        let draft = EventDraft(
            name: body.name, group: body.group, kind: body.kind ?? .unplanned, startMessage: body.startMessage,
            endMessage: body.endMessage, startsAt: try body.startsAt.map { try EventDraft.time($0, option: "starts_at") },
            endsAt: try body.endsAt.map { try EventDraft.time($0, option: "ends_at") }, notes: body.notes)
        let actor = ActorName.apiKey(name: context.client?.name).recorded
        let id = try await database.write { try EventService(environment).create(draft, by: actor) }
        return StatusAnswer(status: .created, body: Created(id: id, state: EventState.draft.rawValue))
    }

    @Sendable func getEvents(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let state = try request.choice("state", as: EventState.self)
        let events = try await database.read { try EventService(environment).list(state: state) }
        return Items(items: events.map { Event($0.record) })
    }

    @Sendable func getEvent(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let id = try Self.eventID(context)
        let (event, deliveries) = try await database.read { try EventService(environment).show(id: id) }
        return EventWithDeliveries(
            event: Event(event.record),
            deliveries: deliveries.map(Delivery.init))
    }

    @Sendable func getEventPreview(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let id = try Self.eventID(context)
        let preview = try await database.read { try EventService(environment).preview(id: id) }
        return Preview(
            id: id, recipients: preview.recipients,
            skipped: Dictionary(uniqueKeysWithValues: EventPreview.skipReasons.map { ($0, preview.skipped[$0] ?? 0) }),
            startMessage: Length(preview.startMessage), endMessage: Length(preview.endMessage))
    }

    static func eventID(_ context: LifelineRequestContext) throws -> Int64 {
        let text = try context.parameters.require("id")
        guard let id = Int64(text), id > 0 else {
            throw Problem(status: .notFound, code: "not_found", detail: "no continuity event has the id '\(text)'")
        }
        return id
    }

    struct Created: ResponseEncodable {
        let id: Int64
        let state: String
    }

    /// An event as stored.
    struct Event: ResponseEncodable {
        let id: Int64
        let name: String
        let group: String
        let kind: String
        let state: String
        let startMessage: String
        let endMessage: String
        @Nullable var startsAt: APITime?
        @Nullable var endsAt: APITime?
        @Nullable var notes: String?
        let createdAt: APITime
        @Nullable var startedAt: APITime?
        @Nullable var endedAt: APITime?

        init(_ record: EventRecord) {
            id = record.id
            name = record.name
            group = record.groupName
            kind = record.kind.rawValue
            state = record.state.rawValue
            startMessage = record.startMessage
            endMessage = record.endMessage
            startsAt = record.startsAt.map(APITime.init)
            endsAt = record.endsAt.map(APITime.init)
            notes = record.notes
            createdAt = APITime(record.createdAt)
            startedAt = record.startedAt.map(APITime.init)
            endedAt = record.endedAt.map(APITime.init)
        }

        enum CodingKeys: String, CodingKey {
            case id, name, group, kind, state, notes
            case startMessage = "start_message"
            case endMessage = "end_message"
            case startsAt = "starts_at"
            case endsAt = "ends_at"
            case createdAt = "created_at"
            case startedAt = "started_at"
            case endedAt = "ended_at"
        }
    }

    struct Delivery: Encodable, Sendable {
        let alert: String
        let status: String
        let count: Int
        /// Attempts among them whose outcome was unknown (sent again: perhaps received twice).
        let maybeSent: Int

        enum CodingKeys: String, CodingKey {
            case alert, status, count
            case maybeSent = "maybe_sent"
        }

        init(_ deliveries: AlertDeliveries) {
            alert = deliveries.alert
            status = deliveries.status.rawValue
            count = deliveries.count
            maybeSent = deliveries.maybeSent
        }
    }

    /// An event and its alerts counted by status.
    struct EventWithDeliveries: ResponseEncodable {
        let event: Event
        let deliveries: [Delivery]

        enum CodingKeys: String, CodingKey {
            case deliveries
        }

        func encode(to encoder: any Encoder) throws {
            try event.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(deliveries, forKey: .deliveries)
        }
    }

    struct Length: Encodable, Sendable {
        let encoding: String
        let units: Int
        let parts: Int

        init(_ length: SMSLength) {
            encoding = length.encoding.rawValue
            units = length.units
            parts = length.segments
        }
    }

    struct Preview: ResponseEncodable {
        let id: Int64
        let recipients: Int
        /// Members skipped, by reason (every reason, zero included).
        let skipped: [String: Int]
        let startMessage: Length
        let endMessage: Length

        enum CodingKeys: String, CodingKey {
            case id, recipients, skipped
            case startMessage = "start_message"
            case endMessage = "end_message"
        }
    }

    struct Transitioned: ResponseEncodable {
        let id: Int64
        let state: String
        let queued: Int
        let alreadyDone: Bool

        enum CodingKeys: String, CodingKey {
            case id, state, queued
            case alreadyDone = "already_done"
        }
    }
}

extension EventKind: Decodable {}
