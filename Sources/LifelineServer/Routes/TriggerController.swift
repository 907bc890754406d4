import FoundationEssentials
import Hummingbird
import LifelineService
import LifelineStore

/// Monitoring starts events: `/v1/triggers/alertmanager` takes Prometheus Alertmanager's
/// webhook, `/v1/triggers/{template}` any other monitor's call, both under a key of the
/// `trigger` role. Each drafts an event from a template once per alert group; nobody is texted
/// until an operator starts it.
struct TriggerController {
    let environment: LifelineEnvironment
    let database: Database
    /// Where the on-call notices' links point.
    let publicURL: String?

    var triggers: EventTriggers { EventTriggers(environment, publicURL: publicURL) }

    /// Alertmanager's webhook payload, version 4 (prometheus.io/docs/alerting/latest/configuration/#webhook_config).
    struct AlertmanagerBody: Decodable {
        struct Alert: Decodable {
            let status: MonitorNotification.Status
            let labels: [String: String]
            let annotations: [String: String]?
        }

        let version: String
        let groupKey: String
        let status: MonitorNotification.Status
        let commonAnnotations: [String: String]?
        let alerts: [Alert]

        /// The payload as the service takes it: the alerts that count for its status.
        func notification() throws -> MonitorNotification {
            guard version == "4" else {
                throw Problem(
                    status: .unprocessableContent, code: "bad_input",
                    detail: "version is '\(version)'; Lifeline reads Alertmanager's webhook payload version 4")
            }
            let counted = status == .firing ? alerts.filter { $0.status == .firing } : alerts
            let summary = commonAnnotations?["summary"] ?? counted.lazy.compactMap { $0.annotations?["summary"] }.first
            return MonitorNotification(
                source: .alertmanager, dedupKey: groupKey, status: status, alertLabels: counted.map(\.labels), summary: summary)
        }
    }

    /// Any other monitor's call, shaped after PagerDuty's events API.
    struct GenericBody: Decodable {
        enum Action: String, Decodable {
            case trigger
            case resolve
        }

        let eventAction: Action?
        let dedupKey: String?
        let summary: String?

        enum CodingKeys: String, CodingKey {
            case summary
            case eventAction = "event_action"
            case dedupKey = "dedup_key"
        }

        /// A call without a key is one alert per template: its repeats draft nothing new while
        /// the first draft is open.
        static let defaultKey = "default"

        var notification: MonitorNotification {
            MonitorNotification(
                source: .generic, dedupKey: dedupKey ?? Self.defaultKey, status: eventAction == .resolve ? .resolved : .firing,
                alertLabels: [], summary: summary)
        }
    }

    func addRoutes(to group: RouterGroup<LifelineRequestContext>) {
        group.post("triggers/alertmanager") { request, context in
            let notification = try await request.decode(as: AlertmanagerBody.self, context: context).notification()
            let actor = ActorName.apiKey(name: context.client?.name).recorded
            let outcomes = try await database.write { [triggers] in try triggers.receive(notification, by: actor) }
            return Results(results: outcomes.map { Outcome($0, dedupKey: notification.dedupKey) })
        }
        group.post("triggers/:name") { request, context in
            let name = try TemplateController.name(context)
            let notification = try await request.decode(as: GenericBody.self, context: context).notification
            let actor = ActorName.apiKey(name: context.client?.name).recorded
            let outcome = try await database.write { [triggers] in try triggers.receive(notification, template: name, by: actor) }
            return StatusAnswer(status: outcome.action == .drafted ? .created : .ok, body: Outcome(outcome, dedupKey: notification.dedupKey))
        }
    }

    /// What a notification did to one template's event.
    struct Outcome: ResponseEncodable {
        let template: String
        @Nullable var eventID: Int64?
        let action: String
        let dedupKey: String

        init(_ outcome: TriggerOutcome, dedupKey: String) {
            template = outcome.template
            eventID = outcome.eventID
            action = outcome.action.rawValue
            self.dedupKey = dedupKey
        }

        enum CodingKeys: String, CodingKey {
            case template, action
            case eventID = "event_id"
            case dedupKey = "dedup_key"
        }
    }

    /// Alertmanager's answer: one outcome per matching template (none when nothing matched).
    struct Results: ResponseEncodable {
        let results: [Outcome]
    }
}
extension MonitorNotification.Status: Decodable {}
