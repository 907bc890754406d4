import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// How an event's question was answered so far: each answer's count beside the delivery picture.
public struct EventResponses: Sendable, Equatable {
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
    /// How many a reminder would text now: no answer, and still opted in.
    public let remindable: Int
    public let reminders: Int

    public var answered: Int { tallies.reduce(0) { $0 + $1.count } }
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

    /// Counts an answer from `number` inside the caller's transaction (the inbound message's):
    /// for the latest event with a question whose start alert went to that number and that still
    /// takes answers. False when there is none, or the answer is not one of its answers.
    static func record(answer: Int, from number: String, inboundID: Int64, at date: Date, connection: any SQLConnection) throws -> Bool {
        let store = ReplyStore(connection: connection)
        guard
            let target = try store.answering(
                number: number, startKind: EventService.startKind, endedSince: date.addingTimeInterval(-answersAfterEnd)),
            (1...target.answers).contains(answer)
        else { return false }
        for userID in target.userIDs {
            try store.record(eventID: target.eventID, userID: userID, answer: answer, inboundID: inboundID, at: date)
        }
        return true
    }

    /// The event's question and tallies; an event without a question is a usage error.
    public func responses(eventID: Int64) throws -> EventResponses {
        guard let responses = try asked(eventID: eventID) else { throw ReplyFailure.noQuestion(eventID: eventID) }
        return responses
    }

    /// The event's question and tallies, or nil when it asks none.
    public func asked(eventID: Int64) throws -> EventResponses? {
        try database.read { connection in
            guard let event = try EventStore(connection: connection).event(id: eventID) else { throw EventFailure.eventNotFound(eventID) }
            guard let question = try ReplyStore(connection: connection).question(eventID: event.id) else { return nil }
            let store = ReplyStore(connection: connection)
            let counts = try store.counts(eventID: eventID, startKind: EventService.startKind)
            return EventResponses(
                eventID: eventID, question: question.question,
                tallies: question.answers.enumerated().map { index, answer in
                    EventResponses.Tally(number: index + 1, answer: answer, count: counts.answered[index + 1] ?? 0)
                },
                noAnswer: counts.noAnswer, undelivered: counts.undelivered,
                remindable: try store.reminderAudience(eventID: eventID, startKind: EventService.startKind, program: ConsentService.program),
                reminders: try store.reminderCount(eventID: eventID))
        }
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

    private func requireQuestion(eventID: Int64, connection: any SQLConnection) throws -> (EventRecord, EventQuestionRecord) {
        guard let event = try EventStore(connection: connection).event(id: eventID) else { throw EventFailure.eventNotFound(eventID) }
        guard let question = try ReplyStore(connection: connection).question(eventID: eventID) else { throw ReplyFailure.noQuestion(eventID: eventID) }
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
