import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// What an operator asks a template to be, before it is checked (``problems()``, the one check
/// the CLI, the API and the console use).
public struct TemplateDraft: Sendable, Equatable {
    public var name: String
    public var group: String
    public var kind: EventKind = .unplanned
    public var startMessage: String
    public var endMessage: String
    /// A question recipients answer by number ("Reply 1 if you can work, 2 if you need help").
    public var question: String?
    public var answers: [String] = []
    /// An alert whose labels include all of these starts the template (`alertname=MailDown`).
    public var triggerLabels: [String: String] = [:]
    /// Minutes after a trigger when the event starts by itself if nobody has acted.
    public var autoStartAfter: Int?

    public init(name: String, group: String, startMessage: String, endMessage: String) {
        self.name = name
        self.group = group
        self.startMessage = startMessage
        self.endMessage = endMessage
    }

    /// The template as a draft again, to change some fields (`templates update`).
    public init(_ template: TemplateRecord) {
        self.init(name: template.name, group: template.groupName, startMessage: template.startMessage, endMessage: template.endMessage)
        kind = template.kind
        question = template.question
        answers = template.answers
        triggerLabels = template.triggerLabels
        autoStartAfter = template.autoStartAfter
    }

    /// A field a problem belongs to, so a form can show it there.
    public enum Field: String, Sendable, CaseIterable {
        case name, group, startMessage, endMessage, question, answers, trigger, autoStartAfter
    }

    /// The most answers a question may have: one digit each.
    public static let maximumAnswers = 9

    /// Every field's problem at once, in field order; empty when the template can be saved.
    public func problems() -> [(field: Field, failure: TemplateFailure)] {
        var problems: [(field: Field, failure: TemplateFailure)] = []
        let name = name.trimmingBlanks()
        if !(1...100).contains(name.unicodeScalars.count) { problems.append((.name, .nameInvalid(self.name))) }
        if group.trimmingBlanks().isEmpty { problems.append((.group, .groupMissing)) }
        // The start message is checked as it will be sent: with the question after it.
        let asked = Self.startMessage(startMessage, asking: question)
        let startLabel = asked == startMessage ? "the start message" : "the start message with its question"
        for (field, text, label) in [(Field.startMessage, asked, startLabel), (.endMessage, endMessage, "the end message")] {
            do {
                _ = try AlertTemplate(text, field: label)
            } catch {
                problems.append((field, .message(String(describing: error))))
            }
        }
        let question = question?.trimmingBlanks()
        let answers = answers.map { $0.trimmingBlanks() }
        if let question, !question.isEmpty {
            if question.unicodeScalars.count > 300 { problems.append((.question, .questionTooLong(question.unicodeScalars.count))) }
            if !(2...Self.maximumAnswers).contains(answers.count) { problems.append((.answers, .answerCount(answers.count))) }
            if let bad = answers.first(where: { !(1...60).contains($0.unicodeScalars.count) }) { problems.append((.answers, .answerInvalid(bad))) }
            if Set(answers.map(NameKey.of)).count != answers.count { problems.append((.answers, .answersRepeat)) }
        } else if !answers.isEmpty {
            problems.append((.question, .answersWithoutQuestion))
        }
        for (label, value) in triggerLabels {
            guard label.first.map({ $0.isLetter || $0 == "_" }) == true, label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }),
                label.count <= 100
            else {
                problems.append((.trigger, .labelInvalid(label)))
                continue
            }
            if value.trimmingBlanks().isEmpty || value.unicodeScalars.count > 200 { problems.append((.trigger, .labelValueInvalid(label))) }
        }
        if let autoStartAfter, !(1...1440).contains(autoStartAfter) { problems.append((.autoStartAfter, .autoStartInvalid(autoStartAfter))) }
        return problems
    }

    /// The start message as sent: the question follows it, unless the message already asks it.
    public static func startMessage(_ message: String, asking question: String?) -> String {
        guard let question = question?.trimmingBlanks(), !question.isEmpty, !message.contains(question) else { return message }
        return message + "\n" + question
    }

    /// Writes labels as `LABEL=VALUE` entries, by label: what ``labels(reading:)`` reads back.
    public static func entries(_ labels: [String: String]) -> [String] {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    /// Reads `LABEL=VALUE` entries (`--trigger alertname=MailDown`).
    public static func labels(reading entries: [String]) throws -> [String: String] {
        var labels: [String: String] = [:]
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1).map { String($0).trimmingBlanks() }
            guard parts.count == 2, !parts[0].isEmpty else { throw TemplateFailure.labelEntry(entry) }
            guard labels[parts[0]] == nil else { throw TemplateFailure.labelRepeated(parts[0]) }
            labels[parts[0]] = parts[1]
        }
        return labels
    }
}

/// Event templates: kept, listed, changed and deleted, and an event drafted from one.
public struct EventTemplates: Sendable {
    public let environment: LifelineEnvironment
    public var database: Database { environment.database }

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    public func create(_ draft: TemplateDraft) throws -> TemplateRecord {
        if let problem = draft.problems().first { throw problem.failure }
        let now = environment.clock.now()
        return try database.write { connection in
            let store = TemplateStore(connection: connection)
            if try store.template(named: draft.name.trimmingBlanks()) != nil { throw TemplateFailure.exists(draft.name.trimmingBlanks()) }
            let id = try store.create(try fields(draft, connection: connection), at: now)
            guard let created = try store.templates().first(where: { $0.id == id }) else { throw TemplateFailure.notFound(draft.name) }
            return created
        }
    }

    public func list() throws -> [TemplateRecord] {
        try database.read { try TemplateStore(connection: $0).templates() }
    }

    public func show(_ name: String) throws -> TemplateRecord {
        try database.read { connection in
            guard let template = try TemplateStore(connection: connection).template(named: name.trimmingBlanks()) else {
                throw TemplateFailure.notFound(name)
            }
            return template
        }
    }

    /// Replaces the template `name` with `draft` (which may rename it).
    public func update(_ name: String, to draft: TemplateDraft) throws -> TemplateRecord {
        if let problem = draft.problems().first { throw problem.failure }
        let now = environment.clock.now()
        return try database.write { connection in
            let store = TemplateStore(connection: connection)
            guard let existing = try store.template(named: name.trimmingBlanks()) else { throw TemplateFailure.notFound(name) }
            if let other = try store.template(named: draft.name.trimmingBlanks()), other.id != existing.id {
                throw TemplateFailure.exists(other.name)
            }
            try store.update(id: existing.id, try fields(draft, connection: connection), at: now)
            guard let updated = try store.template(named: draft.name.trimmingBlanks()) else { throw TemplateFailure.notFound(draft.name) }
            return updated
        }
    }

    public func delete(_ name: String) throws {
        try database.write { connection in
            let store = TemplateStore(connection: connection)
            guard let existing = try store.template(named: name.trimmingBlanks()) else { throw TemplateFailure.notFound(name) }
            _ = try store.delete(id: existing.id)
        }
    }

    /// Starts an event from the template at once: the one confirmation is the caller's (the
    /// console's page shows ``EventService/preview(of:)`` first). The draft and the start are
    /// both in the event's audit, under `actor`.
    public func startEvent(from name: String, by actor: String) throws -> EventTransitionOutcome {
        let template = try show(name)
        let draft = eventDraft(from: template)
        if let (_, problem) = draft.problems().first { throw problem }
        let service = EventService(environment)
        let id = try database.write { connection in
            try service.insert(draft, by: actor, detail: "from the template \(template.name)", connection: connection)
        }
        return try service.start(id: id, by: actor)
    }

    /// A draft event from the template: its group, kind and messages, named after it with the time.
    public func eventDraft(from name: String) throws -> EventDraft {
        eventDraft(from: try show(name))
    }

    /// A draft event from a template already read.
    public func eventDraft(from template: TemplateRecord) -> EventDraft {
        var draft = EventDraft(
            name: String((template.name + " " + PageTimeText.minute(environment.clock.now())).prefix(100)), group: template.groupName,
            startMessage: template.startMessage, endMessage: template.endMessage)
        draft.kind = template.kind
        if let question = template.question {
            draft.question = EventQuestionRecord(question: question, answers: template.answers)
            draft.startMessage = TemplateDraft.startMessage(template.startMessage, asking: question)
        }
        return draft
    }

    private func fields(_ draft: TemplateDraft, connection: any SQLConnection) throws -> TemplateFields {
        let question = draft.question?.trimmingBlanks()
        let hasQuestion = !(question ?? "").isEmpty
        return TemplateFields(
            name: draft.name.trimmingBlanks(), groupID: try DirectoryStore(connection: connection).requireGroupID(named: draft.group),
            kind: draft.kind, startMessage: try AlertTemplate(draft.startMessage, field: "the start message").text,
            endMessage: try AlertTemplate(draft.endMessage, field: "the end message").text, question: hasQuestion ? question : nil,
            answers: hasQuestion ? draft.answers.map { $0.trimmingBlanks() } : [],
            triggerLabels: draft.triggerLabels.mapValues { $0.trimmingBlanks() }, autoStartAfter: draft.autoStartAfter)
    }
}

/// A time to the minute, UTC, for names made from one ("Mail down 2026-12-06 08:15").
public enum PageTimeText {
    public static func minute(_ date: Date) -> String {
        String(UTCTimestamp.string(from: date).prefix(16)).replacing("T", with: " ")
    }
}

/// A template that cannot be kept as asked.
public enum TemplateFailure: LifelineFailure, Equatable {
    case nameInvalid(String)
    case groupMissing
    case message(String)
    case questionTooLong(Int)
    case answerCount(Int)
    case answerInvalid(String)
    case answersRepeat
    case answersWithoutQuestion
    case labelInvalid(String)
    case labelValueInvalid(String)
    case labelEntry(String)
    case labelRepeated(String)
    case autoStartInvalid(Int)
    case exists(String)
    case notFound(String)

    public var kind: FailureKind {
        switch self {
        case .notFound: .inputMissing
        case .exists: .usage
        default: .badInput
        }
    }

    public var message: String {
        switch self {
        case .nameInvalid(let name): "the template name must be 1 to 100 characters, not '\(name)'"
        case .groupMissing: "a template needs a group"
        case .message(let problem): problem
        case .questionTooLong(let length): "the question is \(length) characters; at most 300"
        case .answerCount(let count): "a question needs 2 to \(TemplateDraft.maximumAnswers) answers (one digit each), not \(count)"
        case .answerInvalid(let answer): "each answer must be 1 to 60 characters, not '\(answer)'"
        case .answersRepeat: "two answers are the same"
        case .answersWithoutQuestion: "answers need a question to answer"
        case .labelInvalid(let label): "'\(label)' is not a label name (letters, digits and _, as Prometheus names labels)"
        case .labelValueInvalid(let label): "the label \(label) needs a value of 1 to 200 characters"
        case .labelEntry(let entry): "'\(entry)' is not LABEL=VALUE"
        case .labelRepeated(let label): "the label \(label) is given twice"
        case .autoStartInvalid(let minutes): "auto start must be 1 to 1440 minutes after the trigger, not \(minutes)"
        case .exists(let name): "a template named '\(name)' exists"
        case .notFound(let name): "no template is named '\(name)'"
        }
    }

    public var remedy: String? {
        switch self {
        case .notFound: "lifeline templates list shows them"
        default: nil
        }
    }
}
