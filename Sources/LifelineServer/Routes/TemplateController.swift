import FoundationEssentials
import Hummingbird
import LifelineService
import LifelineStore

/// Event templates for operators: `/v1/templates`, kept and changed whole, as the CLI's
/// `templates` commands do.
struct TemplateController {
    let environment: LifelineEnvironment
    let database: Database

    /// A template as a client sends it: every field, for a create or a replace.
    struct Body: Decodable {
        struct Trigger: Decodable {
            let labels: [String: String]
        }

        let name: String
        let group: String
        let kind: EventKind?
        let startMessage: String
        let endMessage: String
        let question: String?
        let answers: [String]?
        let trigger: Trigger?
        let autoStartAfter: Int?

        enum CodingKeys: String, CodingKey {
            case name, group, kind, question, answers, trigger
            case startMessage = "start_message"
            case endMessage = "end_message"
            case autoStartAfter = "auto_start_after"
        }

        var draft: TemplateDraft {
            var draft = TemplateDraft(name: name, group: group, startMessage: startMessage, endMessage: endMessage)
            draft.kind = kind ?? .unplanned
            draft.question = question
            draft.answers = answers ?? []
            draft.triggerLabels = trigger?.labels ?? [:]
            draft.autoStartAfter = autoStartAfter
            return draft
        }
    }

    func addRoutes(to group: RouterGroup<LifelineRequestContext>) {
        group.post("templates") { request, context in
            let draft = try await request.decode(as: Body.self, context: context).draft
            let created = try await database.write { try EventTemplates(environment).create(draft) }
            return StatusAnswer(status: .created, body: Template(created))
        }
        group.get("templates") { _, _ in
            Items(items: try await database.read { try EventTemplates(environment).list() }.map(Template.init))
        }
        group.get("templates/:name") { _, context in
            let name = try Self.name(context)
            return Template(try await database.read { try EventTemplates(environment).show(name) })
        }
        group.put("templates/:name") { request, context in
            let name = try Self.name(context)
            let draft = try await request.decode(as: Body.self, context: context).draft
            return Template(try await database.write { try EventTemplates(environment).update(name, to: draft) })
        }
        group.delete("templates/:name") { _, context in
            let name = try Self.name(context)
            try await database.write { try EventTemplates(environment).delete(name) }
            return Response(status: .noContent)
        }
    }

    /// The path's name, percent-decoded: names have spaces ("Mail down").
    static func name(_ context: LifelineRequestContext) throws -> String {
        let text = try context.parameters.require("name")
        return text.removingPercentEncoding ?? text
    }

    struct Trigger: ResponseEncodable {
        let labels: [String: String]
    }

    /// A template as stored.
    struct Template: ResponseEncodable {
        let name: String
        let group: String
        let kind: String
        let startMessage: String
        let endMessage: String
        @Nullable var question: String?
        let answers: [String]
        let trigger: Trigger
        @Nullable var autoStartAfter: Int?
        let createdAt: APITime
        let updatedAt: APITime

        init(_ record: TemplateRecord) {
            name = record.name
            group = record.groupName
            kind = record.kind.rawValue
            startMessage = record.startMessage
            endMessage = record.endMessage
            question = record.question
            answers = record.answers
            trigger = Trigger(labels: record.triggerLabels)
            autoStartAfter = record.autoStartAfter
            createdAt = APITime(record.createdAt)
            updatedAt = APITime(record.updatedAt)
        }

        enum CodingKeys: String, CodingKey {
            case name, group, kind, question, answers, trigger
            case startMessage = "start_message"
            case endMessage = "end_message"
            case autoStartAfter = "auto_start_after"
            case createdAt = "created_at"
            case updatedAt = "updated_at"
        }
    }
}
