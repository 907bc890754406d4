import FoundationEssentials
import HTTPTypes
import Hummingbird
import LifelineService
import LifelineStore

/// Replies with tallies for operators: an event's answers a page at a time (or all of them as
/// CSV), and reminders to those who have not answered, once per Idempotency-Key.
struct ResponsesController {
    let environment: LifelineEnvironment
    let database: Database

    func addRoutes(to group: RouterGroup<LifelineRequestContext>) {
        group.get("events/:id/responses") { request, context -> Response in
            let id = try EventController.eventID(context)
            if request.headers[.accept]?.contains("text/csv") == true {
                let csv = try await database.read { try Self.csv(EventReplies(environment), eventID: id) }
                return Self.csvResponse(csv, eventID: id)
            }
            let page = try PageRequest(request, listing: "responses")
            let after = try page.afterIdentifier() ?? 0
            let (responses, replies) = try await database.read {
                let service = EventReplies(environment)
                return (try service.responses(eventID: id), try service.replies(eventID: id, after: after, limit: page.limit))
            }
            let answers = Dictionary(uniqueKeysWithValues: responses.tallies.map { ($0.number, $0.answer) })
            return try Responses(
                responses, items: replies.map { Reply($0, answers: answers) },
                nextCursor: page.nextCursor(lastKey: replies.last.map { String($0.id) }, count: replies.count)
            ).response(from: request, context: context)
        }
        group.post("events/:id/reminders") { request, context in
            let id = try EventController.eventID(context)
            guard let key = request.headers[Self.idempotencyKey] else {
                throw Problem(
                    status: .badRequest, code: "usage",
                    detail: "a reminder needs an Idempotency-Key header, so a retried or doubled request texts nobody twice")
            }
            let actor = ActorName.apiKey(name: context.client?.name).recorded
            let outcome = try await database.write { try EventReplies(environment).remind(eventID: id, idempotencyKey: key, by: actor) }
            return StatusAnswer(status: outcome.alreadyDone ? .ok : .accepted, body: Reminder(outcome))
        }
    }

    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!

    /// Every answer of the event as CSV: email, answer number and text, time, and whether it counts.
    static func csv(_ replies: EventReplies, eventID: Int64) throws -> [UInt8] {
        let question = try replies.question(eventID: eventID)
        let answers = Dictionary(uniqueKeysWithValues: question.answers.enumerated().map { ($0.offset + 1, $0.element) })
        var output: [UInt8] = []
        CSVRecordEncoding.append(["email", "answer", "answer_text", "received_at", "counts"].map { Array($0.utf8) }, to: &output)
        var after: Int64 = 0
        while true {
            let page = try replies.replies(eventID: eventID, after: after, limit: 5_000)
            for reply in page {
                CSVRecordEncoding.append(
                    [reply.email, String(reply.answer), answers[reply.answer] ?? "", UTCTimestamp.string(from: reply.receivedAt), reply.counts ? "yes" : "no"]
                        .map { Array($0.utf8) }, to: &output)
            }
            guard let last = page.last, page.count == 5_000 else { return output }
            after = last.id
        }
    }

    static func csvResponse(_ csv: [UInt8], eventID: Int64) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"event-\(eventID)-responses.csv\""],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: csv)))
    }

    struct Tally: Encodable, Sendable {
        let number: Int
        let answer: String
        let count: Int
    }

    struct Reply: Encodable, Sendable {
        let id: Int64
        let email: String
        let answer: Int
        let answerText: String
        let receivedAt: APITime
        /// The recipient's last answer: the one the tally counts.
        let counts: Bool

        init(_ record: ReplyRecord, answers: [Int: String]) {
            id = record.id
            email = record.email
            answer = record.answer
            answerText = answers[record.answer] ?? ""
            receivedAt = APITime(record.receivedAt)
            counts = record.counts
        }

        enum CodingKeys: String, CodingKey {
            case id, email, answer, counts
            case answerText = "answer_text"
            case receivedAt = "received_at"
        }
    }

    /// The tallies and a page of the answers.
    struct Responses: ResponseEncodable {
        let eventID: Int64
        let question: String
        let tallies: [Tally]
        let answered: Int
        let noAnswer: Int
        let undelivered: Int
        let remindable: Int
        let reminders: Int
        let items: [Reply]
        @Nullable var nextCursor: String?

        init(_ responses: EventResponses, items: [Reply], nextCursor: String?) {
            eventID = responses.eventID
            question = responses.question
            tallies = responses.tallies.map { Tally(number: $0.number, answer: $0.answer, count: $0.count) }
            answered = responses.answered
            noAnswer = responses.noAnswer
            undelivered = responses.undelivered
            remindable = responses.remindable
            reminders = responses.reminders
            self.items = items
            self.nextCursor = nextCursor
        }

        enum CodingKeys: String, CodingKey {
            case question, tallies, answered, undelivered, remindable, reminders, items
            case eventID = "event_id"
            case noAnswer = "no_answer"
            case nextCursor = "next_cursor"
        }
    }

    struct Reminder: ResponseEncodable {
        let reminder: Int
        let queued: Int
        let alreadyDone: Bool

        init(_ outcome: ReminderOutcome) {
            reminder = outcome.reminder
            queued = outcome.queued
            alreadyDone = outcome.alreadyDone
        }

        enum CodingKeys: String, CodingKey {
            case reminder, queued
            case alreadyDone = "already_done"
        }
    }
}
