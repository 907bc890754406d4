import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// How an event's question was answered so far: each answer's count beside the delivery
/// picture. What the event page's live refresh reads every few seconds.
public struct AnswerCounts: Sendable, Equatable {
    public struct Tally: Sendable, Equatable {
        public let number: Int
        public let answer: String
        public let count: Int
    }

    public let eventID: Int64
    public let question: String
    public let tallies: [Tally]
    /// Reached by the start alert (or not yet known not to be) and no answer yet.
    public let noAnswer: Int
    /// The start alert failed, was suppressed or expired: they could not answer.
    public let undelivered: Int

    public var answered: Int { tallies.reduce(0) { $0 + $1.count } }
}

/// The answers' counts, with what a reminder would do: read when a page or a client asks,
/// not on every live refresh (who may still be texted is a join over consent).
public struct EventResponses: Sendable, Equatable {
    public let counts: AnswerCounts
    /// How many a reminder would text now: no answer, and still opted in.
    public let remindable: Int
    public let reminders: Int

    public var eventID: Int64 { counts.eventID }
    public var question: String { counts.question }
    public var tallies: [AnswerCounts.Tally] { counts.tallies }
    public var noAnswer: Int { counts.noAnswer }
    public var undelivered: Int { counts.undelivered }
    public var answered: Int { counts.answered }
}

/// What a reminder request did.
public struct ReminderOutcome: Sendable, Equatable {
    /// The reminder's number within the event (1 for the first).
    public let reminder: Int
    public let queued: Int
    /// An earlier request under the same Idempotency-Key made it: nothing more was queued.
    public let alreadyDone: Bool
}

/// Replies with tallies: numbered answers to an event's question, kept with their times, the
/// last one counting; the tallies; and reminders to those who have not answered.
public struct EventReplies: Sendable {
    public let environment: LifelineEnvironment
    public var database: Database { environment.database }

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    /// How long after its end an event still takes answers: people answer in the morning what
    /// they were asked at night.
    public static let answersAfterEnd: TimeInterval = 24 * 3600

    /// The longest Idempotency-Key taken.
    public static let maximumKeyLength = 200

    private static let reminderKindPrefix = "event_reminder_"

    /// The reminder kinds are `event_reminder_1`, `_2`, …: one message per recipient each.
    static func reminderKind(_ number: Int) -> String { reminderKindPrefix + String(number) }

    /// The reminder's number when `kind` is one.
    static func reminderNumber(kind: String) -> Int? {
        kind.hasPrefix(reminderKindPrefix) ? Int(kind.dropFirst(reminderKindPrefix.count)) : nil
    }

    /// The answer a text gives, when it is one: a digit 1–9 or its word, with blanks and a
    /// trailing full stop, bracket or similar allowed (`1`, ` 2 `, `2.`, `one`, `#3`).
    public static func answer(in text: String) -> Int? {
        // Phones add line breaks and tabs as readily as spaces.
        func trimmed(_ text: String) -> String {
            String(String(text.drop(while: \.isWhitespace).reversed()).drop(while: \.isWhitespace).reversed())
        }
        var word = trimmed(text.lowercased())
        while let last = word.last, ".!),;:".contains(last) { word.removeLast() }
        if word.first == "#" { word.removeFirst() }
        word = trimmed(word)
        if word.count == 1, let digit = word.first?.wholeNumberValue, (1...9).contains(digit), word.first?.isASCII == true { return digit }
        let words = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        return words.firstIndex(of: word).map { $0 + 1 }
    }

    /// Who an answer from `number` counts for, inside the caller's transaction (the inbound
    /// message's): the recipients of the latest event with a question whose start alert went to
    /// that number and that still takes answers. Nil when there is none, or the answer is not
    /// one of its answers.
    static func recipients(of answer: Int, from number: String, at date: Date, connection: any SQLConnection) throws
        -> (eventID: Int64, userIDs: [Int64])?
    {
        guard
            let target = try ReplyStore(connection: connection).answering(
                number: number, startKind: EventService.startKind, endedSince: date.addingTimeInterval(-answersAfterEnd)),
            (1...target.answers).contains(answer)
        else { return nil }
        return (target.eventID, target.userIDs)
    }

    /// The event's question and tallies; an event without a question is a usage error.
    public func responses(eventID: Int64) throws -> EventResponses {
        guard let responses = try asked(eventID: eventID) else { throw ReplyFailure.noQuestion(eventID: eventID) }
        return responses
    }

    /// The event's question and tallies, with what a reminder would do, or nil when it asks none.
    public func asked(eventID: Int64) throws -> EventResponses? {
        try database.read { connection in
            guard let counts = try counts(eventID: eventID, connection: connection) else { return nil }
            let store = ReplyStore(connection: connection)
            return EventResponses(
                counts: counts,
                remindable: try store.reminderAudience(eventID: eventID, startKind: EventService.startKind, program: ConsentService.program),
                reminders: try store.reminderCount(eventID: eventID))
        }
    }

    /// The answers' counts alone, or nil when the event asks no question.
    public func counts(eventID: Int64) throws -> AnswerCounts? {
        try database.read { try counts(eventID: eventID, connection: $0) }
    }

    private func counts(eventID: Int64, connection: any SQLConnection) throws -> AnswerCounts? {
        guard let question = try question(eventID: eventID, connection: connection).question else { return nil }
        let counts = try ReplyStore(connection: connection).counts(eventID: eventID, startKind: EventService.startKind)
        return AnswerCounts(
            eventID: eventID, question: question.question,
            tallies: question.answers.enumerated().map { index, answer in
                AnswerCounts.Tally(number: index + 1, answer: answer, count: counts.answered[index + 1] ?? 0)
            },
            noAnswer: counts.noAnswer, undelivered: counts.undelivered)
    }

    /// The event's question and answers; an event without a question is a usage error.
    public func question(eventID: Int64) throws -> EventQuestionRecord {
        try database.read { try requireQuestion(eventID: eventID, connection: $0).1 }
    }

    /// Every answer received, oldest first, `limit` at a time after the reply id `after`.
    public func replies(eventID: Int64, after: Int64 = 0, limit: Int) throws -> [ReplyRecord] {
        try database.read { connection in
            _ = try requireQuestion(eventID: eventID, connection: connection)
            return try ReplyStore(connection: connection).replies(eventID: eventID, after: after, limit: limit)
        }
    }

    /// Queues one reminder of the question to the recipients who have not answered and may
    /// still be texted, once per `idempotencyKey`: the same key again returns the first
    /// request's outcome and queues nothing. Only while the event is active.
    public func remind(eventID: Int64, idempotencyKey: String, by actor: String) throws -> ReminderOutcome {
        let key = idempotencyKey.trimmingBlanks()
        guard (1...Self.maximumKeyLength).contains(key.unicodeScalars.count) else { throw ReplyFailure.keyInvalid(length: key.unicodeScalars.count) }
        return try database.idempotentWrite { connection in
            let (event, question) = try requireQuestion(eventID: eventID, connection: connection)
            let store = ReplyStore(connection: connection)
            if let done = try store.reminder(eventID: eventID, key: key) {
                return ReminderOutcome(reminder: done.number, queued: done.queued, alreadyDone: true)
            }
            guard event.state == .active else { throw ReplyFailure.notActive(eventID: eventID, state: event.state) }
            let number = try store.reminderCount(eventID: eventID) + 1
            let now = environment.clock.now()
            let queued = try store.queueReminder(
                eventID: eventID, key: key, actor: actor, kind: Self.reminderKind(number), body: Self.reminderBody(event: event.name, question.question),
                startKind: EventService.startKind, program: ConsentService.program, at: now)
            try TriggerStore(connection: connection).audit(
                eventID: eventID, AuditEntry(at: now, actor: actor, action: "reminded", detail: "reminder \(number): \(queued) queued"))
            return ReminderOutcome(reminder: number, queued: queued, alreadyDone: false)
        }
    }

    /// The reminder's text: the event and its question again, nothing personal.
    static func reminderBody(event: String, _ question: String) -> String {
        "Reminder, \(event): \(question)"
    }

    /// The event, and its question when it asks one; an unknown event is not found.
    private func question(eventID: Int64, connection: any SQLConnection) throws -> (event: EventRecord, question: EventQuestionRecord?) {
        guard let event = try EventStore(connection: connection).event(id: eventID) else { throw EventFailure.eventNotFound(eventID) }
        return (event, try ReplyStore(connection: connection).question(eventID: eventID))
    }

    private func requireQuestion(eventID: Int64, connection: any SQLConnection) throws -> (EventRecord, EventQuestionRecord) {
        let (event, question) = try question(eventID: eventID, connection: connection)
        guard let question else { throw ReplyFailure.noQuestion(eventID: eventID) }
        return (event, question)
    }
}

/// A replies request that cannot be done.
public enum ReplyFailure: LifelineFailure, Equatable {
    case noQuestion(eventID: Int64)
    case notActive(eventID: Int64, state: EventState)
    case keyInvalid(length: Int)

    public var kind: FailureKind {
        switch self {
        case .keyInvalid: .badInput
        case .noQuestion, .notActive: .usage
        }
    }

    public var message: String {
        switch self {
        case .noQuestion(let id): "event \(id) asks no question, so it has no answers"
        case .notActive(let id, let state): "event \(id) is \(state.rawValue); reminders go only while an event is active"
        case .keyInvalid(let length): "the Idempotency-Key must be 1 to \(EventReplies.maximumKeyLength) characters, not \(length)"
        }
    }

    public var remedy: String? {
        switch self {
        case .noQuestion: "a question comes from the template the event was drafted from (lifeline templates update NAME --question …)"
        default: nil
        }
    }
}
