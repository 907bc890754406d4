import FoundationEssentials
import Hummingbird
import LifelineService

/// Continuity events in the console: the list, a new event (with each message's length as it
/// is typed), an event's page (preview, delivery counts that update themselves), and start,
/// end or cancel behind a confirmation that says how many people it will text.
struct ConsoleEventPages {
    let site: PageSite

    func add(to console: ConsoleRouter) {
        let site = site
        let environment = site.environment
        let database = site.database
        console.get("events", role: .operator) { _, visit, _, _ in
            let events = try await database.read { try EventService(environment).list(state: nil) }
            let rows = events.map {
                EventsView.Row(
                    id: $0.id, name: $0.name, state: $0.state.rawValue, group: $0.record.groupName,
                    created: PageTime.text($0.record.createdAt))
            }
            return visit.page(EventsView(events: rows, none: rows.isEmpty), title: "Continuity events")
        }
        console.get("events/new", role: .operator) { _, visit, _, _ in
            try await Self.newEventPage(visit, site: site, NewEventView())
        }
        console.get("events/measure", role: .operator) { request, _, _, context in
            try Self.measure(request.uri.queryParameters.get("text") ?? "").response(from: request, context: context)
        }
        console.post("events", role: .operator) { form, visit, session, _ in
            var view = NewEventView(
                nameValue: form.text("name"), startValue: form["start_message"] ?? "", endValue: form["end_message"] ?? "",
                groupValue: form.text("group"), kindValue: form.text("kind"))
            let draft = EventDraft(
                name: form.text("name"), group: form.text("group"), kind: EventKind(rawValue: form.text("kind")) ?? .unplanned,
                startMessage: form["start_message"] ?? "", endMessage: form["end_message"] ?? "")
            // The service's own check, each problem shown beside its field.
            for (field, failure) in draft.problems() {
                let sentence = PageText.sentence(failure.message)
                switch field {
                case .name: view.nameError = sentence
                case .startMessage: view.startError = sentence
                case .endMessage: view.endError = sentence
                default: view.formError = sentence
                }
            }
            guard !view.hasErrors else { return try await Self.newEventPage(visit, site: site, view) }
            do {
                let id = try await database.write { try EventService(environment).create(draft, by: ActorName.console(email: session.email).recorded) }
                return visit.redirect("/console/events/\(id)")
            } catch let failure as any LifelineFailure where failure.kind != .internal {
                view.formError = PageText.sentence(failure.message)
                return try await Self.newEventPage(visit, site: site, view)
            }
        }
        console.get("events/:id", role: .operator) { request, visit, _, context in
            let id = try EventController.eventID(context)
            let (event, deliveries, preview, history, responses, notice) = try await database.read {
                let service = EventService(environment)
                let (event, deliveries) = try service.show(id: id)
                return (
                    event, deliveries, try service.preview(id: id), try service.history(id: id), try EventReplies(environment).asked(eventID: id),
                    try OnCallNotices(environment, publicURL: nil).notice(eventID: id)
                )
            }
            let parts = AlertParts(preview)
            var view = EventView(
                event: EventSummary(event, preview: preview), deliveries: EventView.deliveries(deliveries),
                noDeliveries: deliveries.isEmpty, pace: PaceText.line(waiting: deliveries, parts: parts, pace: site.providers?.pace()),
                liveParts: parts.query)
            // "N alerts queued" is news only while some still wait: once the queue has emptied,
            // the delivery counts say what became of them (deliveries.js also drops it live).
            if let queued = request.uri.queryParameters.get("queued").flatMap({ Int($0) }), deliveries.waiting > 0 {
                view.queuedNotice = queued == 1 ? "1 alert queued." : "\(queued) alerts queued."
            }
            view.show(history, state: event.state)
            view.responses = responses.map { ResponsesPanel($0, state: event.state) }
            view.onCall = notice.map { OnCallPanel($0, state: event.state, now: environment.clock.now()) }
            return visit.page(view, title: event.name)
        }
        console.get("events/:id/deliveries", role: .operator) { request, _, _, context in
            let id = try EventController.eventID(context)
            let (event, deliveries, counts) = try await database.read {
                let (event, deliveries) = try EventService(environment).show(id: id)
                return (event, deliveries, try EventReplies(environment).counts(eventID: id))
            }
            let parts = AlertParts(query: request.uri.queryParameters.get("parts"))
            var live = LiveDeliveries(
                state: event.state.rawValue, deliveries: deliveries.map(EventController.Delivery.init),
                pace: PaceText.line(waiting: deliveries, parts: parts, pace: site.providers?.pace()))
            live.tallies = counts.map { ResponsesPanel.lines($0).map { LiveTally(id: $0.id, count: $0.count) } } ?? []
            return try live.response(from: request, context: context)
        }
        console.get("events/:id/responses.csv", role: .operator) { _, _, _, context in
            let id = try EventController.eventID(context)
            let csv = try await database.read { try ResponsesController.csv(EventReplies(environment), eventID: id) }
            return ResponsesController.csvResponse(csv, eventID: id)
        }
        console.get("events/:id/remind", role: .operator) { _, visit, _, context in
            let id = try EventController.eventID(context)
            let (event, preview, responses) = try await database.read {
                let service = EventService(environment)
                return (try service.show(id: id).event, try service.preview(id: id), try EventReplies(environment).responses(eventID: id))
            }
            let people = responses.remindable == 1 ? "the 1 person" : "the \(responses.remindable) people"
            var view = EventConfirmView(
                event: EventSummary(event, preview: preview), action: "remind",
                question: "Text \(people) who have not answered, and are still opted in, the question again?",
                button: responses.remindable == 1 ? "Send 1 reminder" : "Send \(responses.remindable) reminders", texts: false)
            // Made now and sent back with the form: a double click or a resubmitted form sends once.
            view.idempotencyKey = String(UInt64.random(in: .min ... .max), radix: 16) + String(UInt64.random(in: .min ... .max), radix: 16)
            return visit.page(view, title: "Remind who has not answered")
        }
        console.post("events/:id/remind", role: .operator) { form, visit, session, context in
            let id = try EventController.eventID(context)
            let actor = ActorName.console(email: session.email).recorded
            let key = form.text("idempotency_key")
            let outcome = try await database.write { try EventReplies(environment).remind(eventID: id, idempotencyKey: key, by: actor) }
            return visit.redirect("/console/events/\(id)?queued=\(outcome.alreadyDone ? 0 : outcome.queued)")
        }
        for action in EventTransition.allCases {
            console.get("events/:id/\(action.rawValue)", role: .operator) { _, visit, _, context in
                let id = try EventController.eventID(context)
                let (event, preview) = try await database.read {
                    let service = EventService(environment)
                    return (try service.show(id: id).event, try service.preview(id: id))
                }
                let view = EventConfirmView(
                    event: EventSummary(event, preview: preview), action: action.rawValue,
                    question: action.question(event.name, recipients: preview.recipients),
                    button: action.button(recipients: preview.recipients), texts: action.textsTheGroup)
                return visit.page(view, title: action.title)
            }
            console.post("events/:id/\(action.rawValue)", role: .operator) { _, visit, session, context in
                let id = try EventController.eventID(context)
                let actor = ActorName.console(email: session.email).recorded
                let outcome = try await database.write { try EventService(environment).perform(action, id: id, by: actor) }
                return visit.redirect("/console/events/\(id)?queued=\(outcome.queued)")
            }
        }
    }

    static func newEventPage(_ visit: PageVisit, site: PageSite, _ view: NewEventView) async throws -> Response {
        var view = view
        view.groups = try await groupChoices(site, selected: view.groupValue)
        view.planned = view.kindValue == EventKind.planned.rawValue
        view.placeholders = placeholders
        return visit.page(view, title: "New event", status: view.hasErrors ? .unprocessableContent : .ok)
    }

    /// The groups an event (or a template) may alert, with their sizes, `selected` chosen.
    static func groupChoices(_ site: PageSite, selected: String) async throws -> [NewEventView.GroupChoice] {
        let environment = site.environment
        let groups = try await site.database.read { try DirectoryQueries(environment).groups() }
        return groups.map { .init(name: $0.name, members: $0.memberCount, selected: $0.name == selected) }
    }

    /// The placeholders a message may use, as the forms list them.
    static var placeholders: String { AlertTemplate.placeholders.map { "{\($0)}" }.joined(separator: ", ") }

    /// A message's length as the live counter shows it; the same rule the preview and the
    /// dispatcher use, so the counter never disagrees with the bill.
    static func measure(_ text: String) -> Measured {
        let length = SMSLength(body: text)
        let problem: String?
        do {
            _ = try AlertTemplate(text, field: "the message")
            problem = nil
        } catch let failure as any LifelineFailure {
            problem = PageText.sentence(failure.message)
        } catch {
            problem = "This message cannot be used."
        }
        return Measured(
            characters: text.count, encoding: length.encoding.rawValue, parts: length.segments, warning: length.needsWarning,
            problem: problem)
    }

    /// The live counter's answer.
    struct Measured: ResponseEncodable {
        let characters: Int
        let encoding: String
        let parts: Int
        let warning: Bool
        @Nullable var problem: String?
    }

    /// The event page's live counts.
    struct LiveDeliveries: ResponseEncodable {
        let state: String
        let deliveries: [EventController.Delivery]
        /// How long what waits will take at the current pace; nil when nothing waits.
        let pace: String?
        /// The answers' counts by their cells' ids, when the event asks a question.
        var tallies: [LiveTally] = []
    }

    struct LiveTally: Encodable, Sendable {
        let id: String
        let count: Int
    }
}

/// How the confirmation pages put each transition.
extension EventTransition {
    var title: String {
        switch self {
        case .start: "Start the event"
        case .end: "End the event"
        case .cancel: "Cancel the event"
        }
    }

    func question(_ name: String, recipients: Int) -> String {
        switch self {
        case .start: "Start “\(name)” and text the start message to \(recipients) \(recipients == 1 ? "person" : "people") now?"
        case .end: "End “\(name)” and text the end message to \(recipients) \(recipients == 1 ? "person" : "people") now?"
        case .cancel: "Cancel “\(name)”? Nobody is texted, and it cannot be started afterwards."
        }
    }

    func button(recipients: Int) -> String {
        switch self {
        case .start: "Start and text \(recipients) \(recipients == 1 ? "person" : "people")"
        case .end: "End and text \(recipients) \(recipients == 1 ? "person" : "people")"
        case .cancel: "Cancel the event"
        }
    }
}
