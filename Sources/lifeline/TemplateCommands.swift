import ArgumentParser
import FoundationEssentials
import LifelineService
import LifelineStore

extension Lifeline {
    /// `lifeline templates`: event templates, drafted into events with one confirmation.
    struct Templates: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "templates",
            abstract: "Event templates: a group, the messages, a question with numbered answers, and what starts one.",
            discussion: """
                Examples:
                  lifeline templates list
                  lifeline events create --template "Mail down"
                """,
            subcommands: [Create.self, List.self, Show.self, Update.self, Delete.self])
    }
}

/// The `NAME` argument of the template commands.
struct TemplateNameArgument: ParsableArguments {
    @Argument(help: "The template's name (any case).") var name: String
}

/// The fields `templates create` and `templates update` take.
struct TemplateOptions: ParsableArguments {
    @Option(help: "The group to alert.") var group: String?
    @Option(help: "The alert sent when an event from it starts; {event} and {name} as in events.") var startMessage: String?
    @Option(help: "The alert sent when it ends.") var endMessage: String?
    @Option(help: "planned or unplanned (default: unplanned).") var kind: EventKind?
    @Option(help: "A question recipients answer by number, such as \"Reply 1 if you can work, 2 if you need help\".")
    var question: String?
    @Option(help: "An answer to the question, in number order; repeat for each (2 to 9).") var answer: [String] = []
    @Option(help: "LABEL=VALUE: a monitoring alert with this label starts the template; repeat for more.") var trigger: [String] = []
    @Option(help: "Minutes after a trigger when the event starts by itself if nobody has acted (1–1440).") var autoStartAfter: Int?

    /// `draft` with every option given applied.
    func applied(to draft: TemplateDraft) throws -> TemplateDraft {
        var draft = draft
        if let group { draft.group = group }
        if let startMessage { draft.startMessage = startMessage }
        if let endMessage { draft.endMessage = endMessage }
        if let kind { draft.kind = kind }
        if let question { draft.question = question.trimmingBlanks().isEmpty ? nil : question }
        if !answer.isEmpty || question?.trimmingBlanks().isEmpty == true { draft.answers = answer }
        if !trigger.isEmpty { draft.triggerLabels = try TemplateDraft.labels(reading: trigger) }
        if let autoStartAfter { draft.autoStartAfter = autoStartAfter == 0 ? nil : autoStartAfter }
        return draft
    }
}

extension Lifeline.Templates {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Keep a new template.",
            discussion: """
                Example:
                  lifeline templates create "Mail down" --group Staff \\
                      --start-message "Email is down." --end-message "Email is back." \\
                      --question "Reply 1 if you can work, 2 if not" \\
                      --answer "can work" --answer "cannot" --trigger alertname=MailDown
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var template: TemplateNameArgument
        @OptionGroup var fields: TemplateOptions

        func validate() throws {
            let missing = [("--group", fields.group), ("--start-message", fields.startMessage), ("--end-message", fields.endMessage)]
                .filter { $0.1 == nil }.map(\.0)
            if !missing.isEmpty { throw ValidationError("give \(missing.joined(separator: ", "))") }
        }

        func run() throws {
            let draft = try fields.applied(to: TemplateDraft(name: template.name, group: "", startMessage: "", endMessage: ""))
            ResultWriter(format: output.format).print(TemplateTables.record(try EventTemplates(global.environment).create(draft)))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the templates.",
            discussion: """
                Example:
                  lifeline templates list --format json
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let templates = try EventTemplates(global.environment).list()
            ResultWriter(format: output.format).print(
                .list(
                    columns: ["name", "group", "kind", "question", "answers", "trigger", "auto_start_after"],
                    rows: templates.map { template in
                        [
                            .text(template.name), .text(template.groupName), .text(template.kind.rawValue), Cell(template.question),
                            Cell(template.answers.count), .text(TemplateTables.labels(template)), Cell(template.autoStartAfter),
                        ]
                    }))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show one template whole.",
            discussion: """
                Example:
                  lifeline templates show "Mail down"
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var template: TemplateNameArgument

        func run() throws {
            ResultWriter(format: output.format).print(TemplateTables.record(try EventTemplates(global.environment).show(template.name)))
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update", abstract: "Change the fields given; the others stay. --question \"\" removes the question.",
            discussion: """
                Example:
                  lifeline templates update "Mail down" --auto-start-after 15
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var template: TemplateNameArgument
        @Option(help: "A new name.") var rename: String?
        @OptionGroup var fields: TemplateOptions

        func run() throws {
            let templates = EventTemplates(global.environment)
            var draft = try fields.applied(to: TemplateDraft(try templates.show(template.name)))
            if let rename { draft.name = rename }
            ResultWriter(format: output.format).print(TemplateTables.record(try templates.update(template.name, to: draft)))
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Delete a template; events drafted from it stay.",
            discussion: """
                Example:
                  lifeline templates delete "Mail down"
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var template: TemplateNameArgument

        func run() throws {
            try EventTemplates(global.environment).delete(template.name)
            Diagnostics.note("Deleted the template '\(template.name)'.")
        }
    }
}

/// Templates as the CLI prints them.
enum TemplateTables {
    static func labels(_ template: TemplateRecord) -> String {
        TemplateDraft.entries(template.triggerLabels).joined(separator: ", ")
    }

    static func record(_ template: TemplateRecord) -> ResultTable {
        var fields: [(field: String, value: Cell)] = [
            ("name", .text(template.name)), ("group", .text(template.groupName)), ("kind", .text(template.kind.rawValue)),
            ("start_message", .text(template.startMessage)), ("end_message", .text(template.endMessage)),
            ("question", Cell(template.question)),
        ]
        for (index, answer) in template.answers.enumerated() { fields.append(("answer_\(index + 1)", .text(answer))) }
        fields += [("trigger", .text(labels(template))), ("auto_start_after", Cell(template.autoStartAfter))]
        return .record(fields)
    }
}
