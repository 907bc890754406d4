import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

/// Replies with tallies: numbered answers counted for the event whose question the number was
/// asked, the last one counting; STOP keeps its meaning; reminders once per key.
struct EventRepliesTests {
    @Test func answersAreReadTolerantly() {
        for (text, answer) in [("1", 1), (" 2 ", 2), ("2.", 2), ("one", 1), ("Two!", 2), ("#3", 3), ("9)", 9), ("\t4\n", 4)] {
            #expect(EventReplies.answer(in: text) == answer, "\(text)")
        }
        for text in ["", "0", "10", "12", "1 2", "yes", "STOP", "١", "1️⃣", "one two", "."] {
            #expect(EventReplies.answer(in: text) == nil, "\(text)")
        }
    }

    /// Ann, Bob (and Hal outside the group) opted in: an event from a template with a question,
    /// started and sent.
    static func startedEvent(_ setup: EventFixture, folder: String) async throws -> Int64 {
        var template = TemplateDraft(name: "Mail down", group: "Staff", startMessage: "Email is down.", endMessage: "Email is back.")
        template.question = "Reply 1 if you can work, 2 if you need help"
        template.answers = ["can work", "need help"]
        let templates = EventTemplates(setup.events.environment)
        _ = try templates.create(template)
        let draft = try templates.eventDraft(from: "Mail down")
        #expect(draft.startMessage == "Email is down.\nReply 1 if you can work, 2 if you need help", "the question is asked in the start alert")
        let id = try setup.events.create(draft, by: "test")
        #expect(try setup.events.start(id: id, by: "test").queued == 2)
        _ = try await OutboxDispatcher(setup.events.environment).dispatch(
            through: FileGateway(path: folder + "/phone.jsonl", clock: setup.clock))
        return id
    }

    @Test(arguments: TestEngine.allCases) func answersAreTalliedTheLastCountsAndStopIsNotAnAnswer(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try EventFixture(folder: folder, engine: engine)
            let id = try await Self.startedEvent(setup, folder: folder)
            let replies = EventReplies(setup.events.environment)
            // Ann answers 1, then changes her mind; Hal was never asked; Cat's start never went.
            #expect(try setup.consent.handleInbound(from: "447700900001", text: " 1 ").action == "answer")
            setup.clock.advance(by: 60)
            #expect(try setup.consent.handleInbound(from: "+44 7700 900001", text: "2.").action == "answer")
            #expect(try setup.consent.handleInbound(from: "447700900008", text: "1").action == "unhandled", "Hal received no message of it")
            #expect(try setup.consent.handleInbound(from: "447700900003", text: "1").action == "unhandled", "Cat was not texted")
            #expect(try setup.consent.handleInbound(from: "447700900002", text: "3").action == "unhandled", "there is no answer 3")
            #expect(try setup.consent.handleInbound(from: "447700900002", text: "maybe later").action == "unhandled")
            var responses = try replies.responses(eventID: id)
            #expect(responses.tallies.map(\.count) == [0, 1] && responses.noAnswer == 1 && responses.undelivered == 0)
            #expect(responses.remindable == 1, "Bob has not answered")
            let all = try replies.replies(eventID: id, limit: 10)
            #expect(all.map(\.answer) == [1, 2] && all.map(\.counts) == [false, true], "every answer kept, the last counts")

            // STOP keeps its meaning and takes precedence: Bob is opted out, and nothing is counted.
            #expect(try setup.consent.handleInbound(from: "447700900002", text: "STOP").action == "opted_out")
            responses = try replies.responses(eventID: id)
            #expect(responses.answered == 1 && responses.noAnswer == 1 && responses.remindable == 0)

            // Answers are taken for a day after the end, then no more.
            _ = try setup.events.end(id: id, by: "test")
            setup.clock.advance(by: 23 * 3600)
            #expect(try setup.consent.handleInbound(from: "447700900001", text: "one").action == "answer")
            setup.clock.advance(by: 2 * 3600)
            #expect(try setup.consent.handleInbound(from: "447700900001", text: "2").action == "unhandled")
            #expect(try replies.responses(eventID: id).tallies.map(\.count) == [1, 0])
        }
    }

    @Test(arguments: TestEngine.allCases) func aReminderGoesOncePerKeyToThoseWhoHaveNotAnswered(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try EventFixture(folder: folder, engine: engine)
            let id = try await Self.startedEvent(setup, folder: folder)
            let replies = EventReplies(setup.events.environment)
            _ = try setup.consent.handleInbound(from: "447700900001", text: "1")
            #expect(throws: ReplyFailure.keyInvalid(length: 0)) { try replies.remind(eventID: id, idempotencyKey: " ", by: "test") }
            let first = try replies.remind(eventID: id, idempotencyKey: "click-1", by: "console:ops@example.com")
            #expect(first == ReminderOutcome(reminder: 1, queued: 1, alreadyDone: false))
            #expect(try replies.remind(eventID: id, idempotencyKey: "click-1", by: "console:ops@example.com") == ReminderOutcome(reminder: 1, queued: 1, alreadyDone: true))
            let reminders = try setup.alerts(id).filter { $0.kind == "event_reminder_1" }
            #expect(reminders.map(\.destination) == ["447700900002"], "only Bob, who has not answered")
            #expect(reminders.first?.body.contains("Reply 1 if you can work") == true)
            #expect(try setup.events.show(id: id).deliveries.contains { $0.alert == "reminder 1" })
            // A second reminder (a new key) goes to Bob again; his answer to it counts.
            #expect(try replies.remind(eventID: id, idempotencyKey: "click-2", by: "test").reminder == 2)
            #expect(try setup.events.history(id: id).audit.filter { $0.action == "reminded" }.map(\.actor) == ["console:ops@example.com", "test"])
            _ = try setup.events.end(id: id, by: "test")
            #expect(throws: ReplyFailure.notActive(eventID: id, state: .ended)) { try replies.remind(eventID: id, idempotencyKey: "click-3", by: "test") }

            let plain = try setup.createEvent()
            #expect(throws: ReplyFailure.noQuestion(eventID: plain)) { try replies.responses(eventID: plain) }
            #expect(try replies.asked(eventID: plain) == nil)
        }
    }
}
