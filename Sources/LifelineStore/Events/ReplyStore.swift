import FoundationEssentials
import LifelineVocabulary

/// An event's question and its numbered answers (1 first).
public struct EventQuestionRecord: Sendable, Equatable {
    public let question: String
    public let answers: [String]

    public init(question: String, answers: [String]) {
        self.question = question
        self.answers = answers
    }
}

/// One recipient's answer as received.
public struct ReplyRecord: Sendable, Equatable {
    public let id: Int64
    public let email: String
    public let answer: Int
    public let receivedAt: Date
    /// Whether it is the recipient's last answer, the one the tally counts.
    public let counts: Bool
}

/// The event's recipients of its start alert by what became of them: answered (by answer),
/// no answer yet, or never reached (failed, suppressed, expired).
public struct ReplyCounts: Sendable, Equatable {
    public var answered: [Int: Int] = [:]
    public var noAnswer = 0
    public var undelivered = 0

    public init() {}
}

/// The SQL for event questions, replies and reminders.
public struct ReplyStore {
    let connection: any SQLConnection

    public init(connection: any SQLConnection) {
        self.connection = connection
    }

    public func setQuestion(eventID: Int64, _ question: EventQuestionRecord) throws {
        try connection.execute("INSERT INTO event_questions (event_id, question) VALUES (?, ?)", eventID, question.question)
        for (index, answer) in question.answers.enumerated() {
            try connection.execute("INSERT INTO event_answers (event_id, number, answer) VALUES (?, ?, ?)", eventID, Int64(index + 1), answer)
        }
    }

    public func question(eventID: Int64) throws -> EventQuestionRecord? {
        guard let question = try connection.queryFirst("SELECT question FROM event_questions WHERE event_id = ?", eventID, map: { $0.string(at: 0) })
        else { return nil }
        let answers = try connection.query("SELECT answer FROM event_answers WHERE event_id = ? ORDER BY number", eventID) { $0.string(at: 0) }
        return EventQuestionRecord(question: question, answers: answers)
    }

    /// The recipients an answer from `number` belongs to: the users at that number whose start
    /// alert of an event with a question went out to it, for the latest such event still taking
    /// answers (active, or ended at or after `endedSince`), with its number of answers.
    public func answering(number: String, startKind: String, endedSince: Date) throws -> (eventID: Int64, answers: Int, userIDs: [Int64])? {
        let rows = try connection.query(
            """
            SELECT e.id, (SELECT count(*) FROM event_answers a WHERE a.event_id = e.id), u.id
            FROM users u
            JOIN outbox o ON o.user_id = u.id AND o.kind = ?2 AND o.destination = ?1
            JOIN continuity_events e ON e.id = o.event_id
            JOIN event_questions q ON q.event_id = e.id
            WHERE u.sms_number = ?1 AND (o.status = 'sent' OR o.status = 'delivered')
              AND (e.state = 'active' OR (e.state = 'ended' AND e.ended_at >= ?3))
            ORDER BY e.started_at DESC, e.id DESC, u.id
            """, number, startKind, endedSince
        ) { (eventID: $0.int64(at: 0), answers: Int($0.int64(at: 1)), userID: $0.int64(at: 2)) }
        guard let latest = rows.first else { return nil }
        return (latest.eventID, latest.answers, rows.filter { $0.eventID == latest.eventID }.map(\.userID))
    }

    /// Keeps an answer and makes it the one that counts for the recipient.
    public func record(eventID: Int64, userID: Int64, answer: Int, inboundID: Int64?, at date: Date) throws {
        let replyID = try connection.insert(
            "INSERT INTO event_replies (event_id, user_id, answer, received_at, inbound_id) VALUES (?, ?, ?, ?, ?)", eventID, userID,
            Int64(answer), date, inboundID)
        try connection.execute(
            """
            INSERT INTO event_reply_current (event_id, user_id, answer, received_at, reply_id) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (event_id, user_id)
            DO UPDATE SET answer = excluded.answer, received_at = excluded.received_at, reply_id = excluded.reply_id
            """, eventID, userID, Int64(answer), date, replyID)
    }

    /// The start alert's recipients counted by their answer, no answer, or never reached.
    public func counts(eventID: Int64, startKind: String) throws -> ReplyCounts {
        var counts = ReplyCounts()
        try connection.forEachRow(
            """
            SELECT r.answer, (o.status = 'failed' OR o.status = 'suppressed' OR o.status = 'expired'), count(*)
            FROM outbox o LEFT JOIN event_reply_current r ON r.event_id = o.event_id AND r.user_id = o.user_id
            WHERE o.event_id = ? AND o.kind = ?
            GROUP BY 1, 2
            """, eventID, startKind
        ) { row in
            let count = Int(row.int64(at: 2))
            if let answer: Int64 = try row.get(0) {
                counts.answered[Int(answer), default: 0] += count
            } else if row.int64(at: 1) != 0 {
                counts.undelivered += count
            } else {
                counts.noAnswer += count
            }
        }
        return counts
    }

    /// Every answer, oldest first, a page at a time after the reply id `after`.
    public func replies(eventID: Int64, after: Int64, limit: Int) throws -> [ReplyRecord] {
        try connection.query(
            """
            SELECT r.id, u.email, r.answer, r.received_at,
                   EXISTS (SELECT 1 FROM event_reply_current c WHERE c.event_id = r.event_id AND c.user_id = r.user_id AND c.reply_id = r.id)
            FROM event_replies r JOIN users u ON u.id = r.user_id
            WHERE r.event_id = ? AND r.id > ?
            ORDER BY r.id LIMIT ?
            """, eventID, after, Int64(limit)
        ) { row in
            ReplyRecord(
                id: row.int64(at: 0), email: row.string(at: 1), answer: Int(row.int64(at: 2)), receivedAt: try row.get(3),
                counts: row.int64(at: 4) != 0)
        }
    }

    /// The FROM and WHERE of a reminder's audience: the start alert's recipients with no answer
    /// who may still be texted (``Reachability``) at their current number.
    private static let reminderAudience = """
        FROM outbox o
        JOIN users u ON u.id = o.user_id
        JOIN consent_current c ON \(Reachability.currentConsent(user: "u", consent: "c", program: "?3"))
        WHERE o.event_id = ?1 AND o.kind = ?2 AND \(Reachability.mayBeTexted(user: "u", consent: "c"))
          AND NOT EXISTS (SELECT 1 FROM event_reply_current r WHERE r.event_id = o.event_id AND r.user_id = o.user_id)
        """

    /// How many a reminder would text now.
    public func reminderAudience(eventID: Int64, startKind: String, program: Program) throws -> Int {
        Int(try connection.queryFirst("SELECT count(*) \(Self.reminderAudience)", eventID, startKind, program) { $0.int64(at: 0) } ?? 0)
    }

    /// The reminder already made under this key, with how many it queued.
    public func reminder(eventID: Int64, key: String) throws -> (number: Int, queued: Int)? {
        try connection.queryFirst(
            """
            SELECT (SELECT count(*) FROM event_reminders e WHERE e.event_id = r.event_id AND e.id <= r.id), r.queued
            FROM event_reminders r WHERE r.event_id = ? AND r.idempotency_key = ?
            """, eventID, key
        ) { (Int($0.int64(at: 0)), Int($0.int64(at: 1))) }
    }

    /// How many reminders the event has had.
    public func reminderCount(eventID: Int64) throws -> Int {
        Int(try connection.queryFirst("SELECT count(*) FROM event_reminders WHERE event_id = ?", eventID) { $0.int64(at: 0) } ?? 0)
    }

    /// Queues `body` as the reminder `kind` to its audience and records it under `key`; returns
    /// how many were queued.
    public func queueReminder(
        eventID: Int64, key: String, actor: String, kind: String, body: String, startKind: String, program: Program, at date: Date
    ) throws -> Int {
        try connection.execute(
            """
            INSERT INTO outbox (channel, destination, body, kind, program, event_id, user_id, next_attempt_at, created_at, updated_at)
            SELECT 'sms', u.sms_number, ?4, ?5, ?3, o.event_id, u.id, ?6, ?6, ?6
            \(Self.reminderAudience)
            ON CONFLICT DO NOTHING
            """, eventID, startKind, program, body, kind, date)
        let queued = connection.changes
        try connection.execute(
            "INSERT INTO event_reminders (event_id, idempotency_key, actor, queued, created_at) VALUES (?, ?, ?, ?, ?)", eventID, key,
            actor, Int64(queued), date)
        return queued
    }
}
