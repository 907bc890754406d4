import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

/// Event templates: every problem found at once, kept and changed whole, and an event drafted from one.
struct EventTemplatesTests {
    static func draft() -> TemplateDraft {
        var draft = TemplateDraft(name: "Mail down", group: "Staff", startMessage: "Email is down ({event}).", endMessage: "Email is back, {name}.")
        draft.question = "Reply 1 if you can work, 2 if you need help"
        draft.answers = ["can work", "need help"]
        draft.triggerLabels = ["alertname": "MailDown", "severity": "critical"]
        draft.autoStartAfter = 15
        return draft
    }

    @Test func everyProblemIsFoundAtOnceBesideItsField() throws {
        var draft = TemplateDraft(name: "", group: " ", startMessage: "{oops}", endMessage: "")
        draft.answers = ["one"]
        draft.triggerLabels = ["bad-label": "x", "ok": " "]
        draft.autoStartAfter = 0
        let fields = draft.problems().map(\.field)
        #expect(fields == [.name, .group, .startMessage, .endMessage, .question, .trigger, .trigger, .autoStartAfter])
        var question = Self.draft()
        question.answers = ["only one"]
        #expect(question.problems().map(\.failure) == [.answerCount(1)])
        question.answers = Array(repeating: "same", count: 2)
        #expect(question.problems().map(\.failure) == [.answersRepeat])
        question.answers = (1...10).map { "answer \($0)" }
        #expect(question.problems().map(\.failure) == [.answerCount(10)])
        #expect(Self.draft().problems().isEmpty)
        #expect(throws: TemplateFailure.labelEntry("severity")) { try TemplateDraft.labels(reading: ["severity"]) }
        #expect(try TemplateDraft.labels(reading: ["alertname=Mail=Down"]) == ["alertname": "Mail=Down"])
    }

    @Test(arguments: TestEngine.allCases) func aTemplateIsKeptChangedAndDraftsAnEvent(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            try fixture.importCSV("email,name,mobile,groups\nann@example.com,Ann,447700900001,Staff\nbob@example.com,Bob,447700900002,Ops\n")
            try SMSNumbers(.testing(fixture.settings)).setAttribute(named: "mobile")
            let clock = FixedClock(date: Date(timeIntervalSince1970: 1_800_000_000))
            let templates = EventTemplates(.testing(fixture.settings, clock: clock))
            let created = try templates.create(Self.draft())
            #expect(created.groupName == "Staff" && created.answers == ["can work", "need help"] && created.autoStartAfter == 15)
            #expect(created.triggerLabels == ["alertname": "MailDown", "severity": "critical"])
            #expect(throws: TemplateFailure.exists("Mail down")) { try templates.create(Self.draft()) }
            var other = Self.draft()
            other.group = "Nobody"
            other.name = "Other"
            #expect(throws: DirectoryFailure.self) { try templates.create(other) }

            var changed = TemplateDraft(try templates.show("MAIL DOWN"))
            changed.group = "Ops"
            changed.question = nil
            changed.answers = []
            changed.triggerLabels = ["alertname": "MailQueue"]
            let updated = try templates.update("mail down", to: changed)
            #expect(updated.groupName == "Ops" && updated.question == nil && updated.answers.isEmpty && updated.triggerLabels == ["alertname": "MailQueue"])
            #expect(try templates.list().map(\.name) == ["Mail down"])

            let draft = try templates.eventDraft(from: "Mail down")
            #expect(draft.group == "Ops" && draft.name == "Mail down 2027-01-15 08:00" && draft.startMessage == "Email is down ({event}).")
            let id = try EventService(.testing(fixture.settings, clock: clock)).create(draft, by: "test")
            #expect(try EventService(.testing(fixture.settings, clock: clock)).preview(id: id).recipients == 0)

            try templates.delete("Mail down")
            #expect(throws: TemplateFailure.notFound("Mail down")) { try templates.show("Mail down") }
            #expect(try EventService(.testing(fixture.settings, clock: clock)).show(id: id).event.name == "Mail down 2027-01-15 08:00")
        }
    }
}
