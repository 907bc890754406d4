import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// What a monitor reports: an alert group, by the key that makes its repeats one, either
/// firing or resolved.
public struct MonitorNotification: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case firing
        case resolved
    }

    public let source: TriggerSource
    /// Alertmanager's `groupKey`, or a generic caller's `dedup_key`.
    public let dedupKey: String
    public let status: Status
    /// Each alert's labels. A template matches when one alert carries all its trigger labels.
    public let alertLabels: [[String: String]]
    /// A line for the audit (the alert's summary), when the monitor sent one.
    public let summary: String?

    public init(source: TriggerSource, dedupKey: String, status: Status, alertLabels: [[String: String]], summary: String?) {
        self.source = source
        self.dedupKey = dedupKey
        self.status = status
        self.alertLabels = alertLabels
        self.summary = summary
    }

    /// The longest dedup key kept: Alertmanager's group keys carry the route's matchers.
    public static let maximumKeyLength = 1000
}

/// What one notification did to one template's event.
public struct TriggerOutcome: Sendable, Equatable {
    public enum Action: String, Sendable {
        /// A new draft event was made from the template.
        case drafted
        /// The alert group already has an open event: nothing new was made.
        case repeated
        /// The monitor says the problem is over: the event's end is offered.
        case resolved
        /// A resolution for an alert group with no open event, or one already resolved.
        case nothingOpen = "nothing_open"
    }

    public let template: String
    public let eventID: Int64?
    public let action: Action
}

/// Monitoring starts events: a notification whose alerts match a template's trigger labels (or
/// that names a template) drafts one event from it, and never a second for the same alert
/// group while the first is a draft or active. Each step is in the event's audit.
public struct EventTriggers: Sendable {
    public let environment: LifelineEnvironment
    public var database: Database { environment.database }
    /// Where the on-call notices' links point (`serve --public-url`).
    public let publicURL: String?

    public init(_ environment: LifelineEnvironment, publicURL: String? = nil) {
        self.environment = environment
        self.publicURL = publicURL
    }

    var notices: OnCallNotices { OnCallNotices(environment, publicURL: publicURL) }

    /// An Alertmanager notification: every template whose trigger labels one of its alerts
    /// carries (a template without labels is never matched). A firing notification counts only
    /// firing alerts; a resolved one, all of them.
    public func receive(_ notification: MonitorNotification, by actor: String) throws -> [TriggerOutcome] {
        try checkKey(notification.dedupKey)
        let keys = try notices.keys()
        return try database.idempotentWrite { connection in
            let templates = try TemplateStore(connection: connection).templates().filter { template in
                !template.triggerLabels.isEmpty
                    && notification.alertLabels.contains { labels in
                        template.triggerLabels.allSatisfy { labels[$0.key] == $0.value }
                    }
            }
            return try templates.map { try handle(notification, template: $0, actor: actor, keys: keys, connection: connection) }
        }
    }

    /// A generic monitor's notification for the template it names.
    public func receive(_ notification: MonitorNotification, template name: String, by actor: String) throws -> TriggerOutcome {
        try checkKey(notification.dedupKey)
        let keys = try notices.keys()
        return try database.idempotentWrite { connection in
            guard let template = try TemplateStore(connection: connection).template(named: name.trimmingBlanks()) else {
                throw TemplateFailure.notFound(name)
            }
            return try handle(notification, template: template, actor: actor, keys: keys, connection: connection)
        }
    }

    private func checkKey(_ key: String) throws {
        guard (1...MonitorNotification.maximumKeyLength).contains(key.unicodeScalars.count) else {
            throw TriggerFailure.keyInvalid(length: key.unicodeScalars.count)
        }
    }

    /// Drafts, counts a repeat, or records a resolution, in the caller's transaction: state
    /// checked against the stored triggers, so a notification delivered twice does nothing twice.
    private func handle(
        _ notification: MonitorNotification, template: TemplateRecord, actor: String, keys: OnCallNotices.Keys,
        connection: any SQLConnection
    ) throws -> TriggerOutcome {
        let store = TriggerStore(connection: connection)
        let now = environment.clock.now()
        let about = notification.summary.map { ": " + String($0.prefix(300)) } ?? ""
        let open = try store.openTrigger(dedupKey: notification.dedupKey, templateID: template.id)
        switch (notification.status, open) {
        case (.firing, let open?):
            try store.repeated(id: open.id, at: now)
            return TriggerOutcome(template: template.name, eventID: open.eventID, action: .repeated)
        case (.firing, nil):
            let draft = EventTemplates(environment).eventDraft(from: template)
            let detail = "from the template \(template.name), by \(notification.source.rawValue) alert group \(notification.dedupKey)\(about)"
            let eventID = try EventService(environment).insert(draft, by: actor, detail: String(detail.prefix(1000)), connection: connection)
            _ = try store.create(
                eventID: eventID, templateID: template.id, source: notification.source, dedupKey: notification.dedupKey, at: now)
            try notices.drafted(eventID: eventID, template: template, keys: keys, connection: connection)
            return TriggerOutcome(template: template.name, eventID: eventID, action: .drafted)
        case (.resolved, let open?):
            guard try store.resolve(id: open.id, at: now) else {
                return TriggerOutcome(template: template.name, eventID: open.eventID, action: .nothingOpen)
            }
            try store.audit(
                eventID: open.eventID,
                AuditEntry(at: now, actor: actor, action: "resolved", detail: String("the monitor reports the problem over\(about)".prefix(1000))))
            return TriggerOutcome(template: template.name, eventID: open.eventID, action: .resolved)
        case (.resolved, nil):
            return TriggerOutcome(template: template.name, eventID: nil, action: .nothingOpen)
        }
    }
}

/// A trigger that cannot be taken as sent.
public enum TriggerFailure: LifelineFailure, Equatable {
    case keyInvalid(length: Int)

    public var kind: FailureKind { .badInput }

    public var message: String {
        switch self {
        case .keyInvalid(let length):
            "the dedup key must be 1 to \(MonitorNotification.maximumKeyLength) characters, not \(length)"
        }
    }

    public var remedy: String? { nil }
}
