import FoundationEssentials
import Hummingbird
import LifelineService
import LifelineStore

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
            let rows = events.map { event -> [String: Any] in
                [
                    "id": event.id, "name": event.name, "state": event.state.rawValue, "group": event.record.groupName,
                    "created": PageTime.text(event.record.createdAt),
                ]
            }
            return visit.page("console-events", title: "Continuity events", ["events": rows, "none": rows.isEmpty])
        }
        console.get("events/new", role: .operator) { _, visit, _, _ in
            try await Self.newEventPage(visit, site: site)
        }
        console.get("events/measure", role: .operator) { request, _, _, context in
            try Self.measure(request.uri.queryParameters.get("text") ?? "").response(from: request, context: context)
        }
        console.post("events", role: .operator) { form, visit, _, _ in
            var values: [String: Any] = [
                "name_value": form.text("name"), "start_value": form["start_message"] ?? "", "end_value": form["end_message"] ?? "",
                "group_value": form.text("group"), "kind_value": form.text("kind"),
            ]
            let draft = EventDraft(
                name: form.text("name"), group: form.text("group"), kind: EventKind(rawValue: form.text("kind")) ?? .unplanned,
                startMessage: form["start_message"] ?? "", endMessage: form["end_message"] ?? "")
            // The service's own check, each problem shown beside its field.
            let keys: [EventDraft.Field: String] = [.name: "name_error", .startMessage: "start_error", .endMessage: "end_error"]
            for (field, failure) in draft.problems() {
                values[keys[field] ?? "form_error"] = PageText.sentence(failure.message)
            }
            guard !PageVisit.hasErrors(values) else { return try await Self.newEventPage(visit, site: site, values) }
            do {
                let id = try await database.write { try EventService(environment).create(draft) }
                return visit.redirect("/console/events/\(id)")
            } catch let failure as any LifelineFailure where failure.kind != .internal {
                values["form_error"] = PageText.sentence(failure.message)
                return try await Self.newEventPage(visit, site: site, values)
            }
        }
        console.get("events/:id", role: .operator) { request, visit, _, context in
            let id = try EventController.eventID(context)
            let (event, deliveries, preview) = try await database.read {
                let service = EventService(environment)
                let (event, deliveries) = try service.show(id: id)
                return (event, deliveries, try service.preview(id: id))
            }
            var values = Self.eventValues(event, preview: preview)
            values["deliveries"] = Self.deliveryRows(deliveries)
            values["no_deliveries"] = deliveries.isEmpty
            // "N alerts queued" is news only while some still wait: once the queue has emptied,
            // the delivery counts say what became of them (deliveries.js also drops it live).
            let waiting = deliveries.contains { $0.status == .queued || $0.status == .sending }
            if let queued = request.uri.queryParameters.get("queued").flatMap({ Int($0) }), waiting {
                values["queued_notice"] = queued == 1 ? "1 alert queued." : "\(queued) alerts queued."
            }
            return visit.page("console-event", title: event.name, values)
        }
        console.get("events/:id/deliveries", role: .operator) { request, _, _, context in
            let id = try EventController.eventID(context)
            let (event, deliveries) = try await database.read { try EventService(environment).show(id: id) }
            return try LiveDeliveries(
                state: event.state.rawValue,
                deliveries: deliveries.map { EventController.Delivery(alert: $0.alert, status: $0.status.rawValue, count: $0.count) }
            ).response(from: request, context: context)
        }
        for action in EventTransition.allCases {
            console.get("events/:id/\(action.rawValue)", role: .operator) { _, visit, _, context in
                let id = try EventController.eventID(context)
                let (event, preview) = try await database.read {
                    let service = EventService(environment)
                    return (try service.show(id: id).event, try service.preview(id: id))
                }
                var values = Self.eventValues(event, preview: preview)
                values["action"] = action.rawValue
                values["question"] = action.question(event.name, recipients: preview.recipients)
                values["button"] = action.button(recipients: preview.recipients)
                values["texts"] = action.textsTheGroup
                return visit.page("console-event-confirm", title: action.title, values)
            }
            console.post("events/:id/\(action.rawValue)", role: .operator) { _, visit, _, context in
                let id = try EventController.eventID(context)
                let outcome = try await database.write { try EventService(environment).perform(action, id: id) }
                return visit.redirect("/console/events/\(id)?queued=\(outcome.queued)")
            }
        }
    }

    static func newEventPage(_ visit: PageVisit, site: PageSite, _ values: [String: Any] = [:]) async throws -> Response {
        let environment = site.environment
        let groups = try await site.database.read { try DirectoryQueries(environment).groups() }
        var values = values
        let chosen = values["group_value"] as? String
        values["groups"] = groups.map {
            ["name": $0.name, "members": $0.memberCount, "selected": $0.name == chosen] as [String: Any]
        }
        values["planned"] = values["kind_value"] as? String == EventKind.planned.rawValue
        values["placeholders"] = AlertTemplate.placeholders.map { "{\($0)}" }.joined(separator: ", ")
        return visit.page(
            "console-event-new", title: "New event", values, status: PageVisit.hasErrors(values) ? .unprocessableContent : .ok)
    }

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
    }

    static func eventValues(_ event: ContinuityEvent, preview: EventPreview) -> [String: Any] {
        let record = event.record
        let name = preview.measuredWithName ?? "Alex"
        func message(_ text: String, _ length: SMSLength) -> [String: Any] {
            let shown = (try? AlertTemplate(text, field: "message"))?.rendered(eventName: record.name, recipientName: name) ?? text
            return [
                "text": shown, "encoding": length.encoding.rawValue,
                "parts": length.segments == 1 ? "1 SMS part" : "\(length.segments) SMS parts", "warning": length.needsWarning,
            ]
        }
        var values: [String: Any] = [
            "id": record.id, "name": record.name, "state": record.state.rawValue, "group": record.groupName,
            "kind": record.kind.rawValue, "recipients": preview.recipients,
            "recipients_noun": preview.recipients == 1 ? "person" : "people",
            "skipped": EventPreview.skipReasons.compactMap { reason -> [String: Any]? in
                guard let count = preview.skipped[reason], count > 0 else { return nil }
                return ["reason": reason.replacing("_", with: " "), "count": count]
            },
            "start_message": message(record.startMessage, preview.startMessage),
            "end_message": message(record.endMessage, preview.endMessage),
            "can_start": event.allowedTransitions.contains(.start), "can_end": event.allowedTransitions.contains(.end),
            "can_cancel": event.allowedTransitions.contains(.cancel),
            "is_live": record.state == .active || record.state == .ended,
            // Who "would be texted now" means something only while a message is still to send.
            "shows_audience": record.state.hasMessagesToSend,
        ]
        // Mustache treats an empty string as true: set only when there is a name.
        if let measured = preview.measuredWithName { values["measured_with"] = measured }
        return values
    }

    static func deliveryRows(_ deliveries: [(alert: String, status: OutboxStatus, count: Int)]) -> [[String: Any]] {
        deliveries.map { ["alert": $0.alert, "status": $0.status.rawValue, "count": $0.count] }
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
