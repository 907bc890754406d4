import FoundationEssentials
import Hummingbird
import LifelineService
import LifelineStore

/// Event templates in the console: the list, a form to make or change one (the same check as
/// the CLI and the API), deleting one, and starting an event from one with a single
/// confirmation that shows who will be texted and who is skipped, and why.
struct ConsoleTemplatePages {
    let site: PageSite

    func add(to console: ConsoleRouter) {
        let site = site
        let environment = site.environment
        let database = site.database
        console.get("templates", role: .operator) { _, visit, _, _ in
            let templates = try await database.read { try EventTemplates(environment).list() }
            return visit.page(TemplatesView(templates.map(TemplatesView.Row.init)), title: "Event templates")
        }
        console.get("templates/new", role: .operator) { _, visit, _, _ in
            try await Self.form(visit, site: site, TemplateFormView(editing: nil))
        }
        console.post("templates", role: .operator) { form, visit, _, _ in
            try await Self.save(form, editing: nil, visit: visit, site: site)
        }
        console.get("templates/:name/edit", role: .operator) { _, visit, _, context in
            let name = try TemplateController.name(context)
            let template = try await database.read { try EventTemplates(environment).show(name) }
            return try await Self.form(visit, site: site, TemplateFormView(template))
        }
        console.post("templates/:name", role: .operator) { form, visit, _, context in
            try await Self.save(form, editing: try TemplateController.name(context), visit: visit, site: site)
        }
        console.post("templates/:name/delete", role: .operator) { _, visit, _, context in
            let name = try TemplateController.name(context)
            try await database.write { try EventTemplates(environment).delete(name) }
            return visit.redirect("/console/templates")
        }
        console.get("templates/:name/start", role: .operator) { _, visit, _, context in
            let name = try TemplateController.name(context)
            let (template, draft, preview) = try await database.read {
                let templates = EventTemplates(environment)
                let template = try templates.show(name)
                let draft = templates.eventDraft(from: template)
                return (template, draft, try EventService(environment).preview(of: draft))
            }
            return visit.page(TemplateStartView(template, draft: draft, preview: preview), title: "Start from \(template.name)")
        }
        console.post("templates/:name/start", role: .operator) { _, visit, session, context in
            let name = try TemplateController.name(context)
            let actor = ActorName.console(email: session.email).recorded
            let outcome = try await database.write { try EventTemplates(environment).startEvent(from: name, by: actor) }
            return visit.redirect("/console/events/\(outcome.eventID)?queued=\(outcome.queued)")
        }
    }

    static func form(_ visit: PageVisit, site: PageSite, _ view: TemplateFormView) async throws -> Response {
        var view = view
        view.groups = try await ConsoleEventPages.groupChoices(site, selected: view.groupValue)
        view.placeholders = ConsoleEventPages.placeholders
        let title = view.editing ? "Change the template" : "New template"
        return visit.page(view, title: title, status: view.hasErrors ? .unprocessableContent : .ok)
    }

    /// Creates or changes a template from the form; each problem is shown beside its field.
    static func save(_ form: PageForm, editing: String?, visit: PageVisit, site: PageSite) async throws -> Response {
        var view = TemplateFormView(form, editing: editing)
        var draft = TemplateDraft(
            name: form.text("name"), group: form.text("group"), startMessage: form["start_message"] ?? "",
            endMessage: form["end_message"] ?? "")
        draft.kind = EventKind(rawValue: form.text("kind")) ?? .unplanned
        draft.question = form.text("question").isEmpty ? nil : form.text("question")
        draft.answers = Self.lines(form["answers"])
        do {
            draft.triggerLabels = try TemplateDraft.labels(reading: Self.lines(form["trigger"]))
        } catch let failure as any LifelineFailure {
            view.triggerError = PageText.sentence(failure.message)
        }
        let minutes = form.text("auto_start_after")
        if !minutes.isEmpty {
            if let value = Int(minutes) { draft.autoStartAfter = value } else { view.autoStartError = "Give a whole number of minutes, or leave it empty." }
        }
        for (field, failure) in draft.problems() { view.show(PageText.sentence(failure.message), at: field) }
        if !view.hasErrors {
            let environment = site.environment
            do {
                _ = try await site.database.write { [draft] in
                    let templates = EventTemplates(environment)
                    return try editing.map { try templates.update($0, to: draft) } ?? templates.create(draft)
                }
                return visit.redirect("/console/templates")
            } catch let failure as any LifelineFailure where failure.kind != .internal {
                view.formError = PageText.sentence(failure.message)
            }
        }
        return try await Self.form(visit, site: site, view)
    }

    /// A text area's lines, trimmed, blank ones dropped.
    static func lines(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: \.isNewline).map { String($0).trimmingBlanks() }.filter { !$0.isEmpty }
    }
}

/// A template's name as one segment of a console address.
enum TemplatePath {
    static func of(_ name: String) -> String { "/console/templates/" + FormEncoding.escape(name) }
}

/// The list of templates.
struct TemplatesView: PageView {
    static let template = "console-templates"
    struct Row: PageValues {
        let name: String
        let path: String
        let group: String
        let kind: String
        let question: String
        let hasQuestion: Bool
        let trigger: String
        let autoStart: String

        init(_ template: TemplateRecord) {
            name = template.name
            path = TemplatePath.of(template.name)
            group = template.groupName
            kind = template.kind.rawValue
            question = template.question ?? ""
            hasQuestion = template.question != nil
            trigger = template.triggerLabels.isEmpty ? "—" : TemplateDraft.entries(template.triggerLabels).joined(separator: ", ")
            autoStart = template.autoStartAfter.map { "after \($0) min" } ?? "—"
        }
    }
    let templates: [Row]
    let none: Bool

    init(_ rows: [Row]) {
        templates = rows
        none = rows.isEmpty
    }
}

/// A template's form, new or filled with the template (or with what was typed, to fix).
struct TemplateFormView: PageView {
    static let template = "console-template-form"
    typealias GroupChoice = NewEventView.GroupChoice
    /// Where the form posts: the list for a new one, the template's own address to change it.
    var action = "/console/templates"
    var editing = false
    var deletePath = ""
    var nameValue = ""
    var groupValue = ""
    var planned = false
    var startValue = ""
    var endValue = ""
    var questionValue = ""
    var answersValue = ""
    var triggerValue = ""
    var autoStartValue = ""
    var nameError: String?
    var groupError: String?
    var startError: String?
    var endError: String?
    var questionError: String?
    var answersError: String?
    var triggerError: String?
    var autoStartError: String?
    var formError: String?
    var groups: [GroupChoice] = []
    var placeholders = ""

    init(editing name: String?) {
        if let name {
            action = TemplatePath.of(name)
            editing = true
            deletePath = TemplatePath.of(name) + "/delete"
        }
    }

    init(_ template: TemplateRecord) {
        self.init(editing: template.name)
        nameValue = template.name
        groupValue = template.groupName
        planned = template.kind == .planned
        startValue = template.startMessage
        endValue = template.endMessage
        questionValue = template.question ?? ""
        answersValue = template.answers.joined(separator: "\n")
        triggerValue = TemplateDraft.entries(template.triggerLabels).joined(separator: "\n")
        autoStartValue = template.autoStartAfter.map(String.init) ?? ""
    }

    init(_ form: PageForm, editing name: String?) {
        self.init(editing: name)
        nameValue = form.text("name")
        groupValue = form.text("group")
        planned = form.text("kind") == EventKind.planned.rawValue
        startValue = form["start_message"] ?? ""
        endValue = form["end_message"] ?? ""
        questionValue = form.text("question")
        answersValue = form["answers"] ?? ""
        triggerValue = form["trigger"] ?? ""
        autoStartValue = form.text("auto_start_after")
    }

    mutating func show(_ sentence: String, at field: TemplateDraft.Field) {
        switch field {
        case .name: nameError = nameError ?? sentence
        case .group: groupError = groupError ?? sentence
        case .startMessage: startError = startError ?? sentence
        case .endMessage: endError = endError ?? sentence
        case .question: questionError = questionError ?? sentence
        case .answers: answersError = answersError ?? sentence
        case .trigger: triggerError = triggerError ?? sentence
        case .autoStartAfter: autoStartError = autoStartError ?? sentence
        }
    }

    var hasErrors: Bool {
        [nameError, groupError, startError, endError, questionError, answersError, triggerError, autoStartError, formError]
            .contains { $0 != nil }
    }
}

/// The one confirmation before an event starts from a template: who will be texted, who is
/// skipped and why, and the start message as they will read it.
struct TemplateStartView: PageView {
    static let template = "console-template-start"
    typealias Skip = EventSummary.Skip
    let path: String
    let question: String
    let recipients: Int
    let skipped: [Skip]
    let hasSkipped: Bool
    let startMessage: EventSummary.Message
    let button: String

    init(_ template: TemplateRecord, draft: EventDraft, preview: EventPreview) {
        path = TemplatePath.of(template.name)
        let people = preview.recipients == 1 ? "1 person" : "\(preview.recipients) people"
        question = "Start an event from “\(template.name)” and text the start message to \(people) in \(template.groupName) now?"
        recipients = preview.recipients
        skipped = EventSummary.skips(preview)
        hasSkipped = !skipped.isEmpty
        startMessage = EventSummary.message(draft.startMessage, preview.startMessage, eventName: draft.name, preview: preview)
        button = "Start and text \(people)"
    }
}
