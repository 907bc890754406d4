import LifelineService

/// The list of events.
struct EventsView: PageView {
    static let template = "console-events"
    struct Row: PageValues {
        let id: Int64
        let name: String
        let state: String
        let group: String
        let created: String
    }
    let events: [Row]
    let none: Bool
}

/// A new event's form, filled again with what was typed when a field needs fixing.
struct NewEventView: PageView {
    static let template = "console-event-new"
    struct GroupChoice: PageValues {
        let name: String
        let members: Int
        let selected: Bool
    }
    var nameValue = ""
    var startValue = ""
    var endValue = ""
    var groupValue = ""
    var kindValue = ""
    var nameError: String?
    var startError: String?
    var endError: String?
    var formError: String?
    var groups: [GroupChoice] = []
    var planned = false
    var placeholders = ""

    /// Whether a field needs fixing: the page is shown again, as 422.
    var hasErrors: Bool { nameError != nil || startError != nil || endError != nil || formError != nil }
}

/// What the event page and its confirmations show of an event: its facts, who would be
/// texted (and who skipped, why), its messages as they will read, and what may be done next.
struct EventSummary: PageValues {
    struct Skip: PageValues {
        let reason: String
        let count: Int
    }
    struct Message: PageValues {
        let text: String
        let encoding: String
        let parts: String
        let warning: Bool
    }
    let id: Int64
    let name: String
    let state: String
    let group: String
    let kind: String
    let recipients: Int
    let recipientsNoun: String
    let skipped: [Skip]
    let startMessage: Message
    let endMessage: Message
    let canStart: Bool
    let canEnd: Bool
    let canCancel: Bool
    let isLive: Bool
    /// Who "would be texted now" means something only while a message is still to send.
    let showsAudience: Bool
    /// The longest recipient name the messages are shown with, when there is a recipient.
    let measuredWith: String?

    init(_ event: ContinuityEvent, preview: EventPreview) {
        let record = event.record
        let name = preview.measuredWithName ?? "Alex"
        func message(_ text: String, _ length: SMSLength) -> Message {
            let shown = (try? AlertTemplate(text, field: "message"))?.rendered(eventName: record.name, recipientName: name) ?? text
            return Message(
                text: shown, encoding: length.encoding.rawValue,
                parts: length.segments == 1 ? "1 SMS part" : "\(length.segments) SMS parts", warning: length.needsWarning)
        }
        id = record.id
        self.name = record.name
        state = record.state.rawValue
        group = record.groupName
        kind = record.kind.rawValue
        recipients = preview.recipients
        recipientsNoun = preview.recipients == 1 ? "person" : "people"
        skipped = EventPreview.skipReasons.compactMap { reason in
            guard let count = preview.skipped[reason], count > 0 else { return nil }
            return Skip(reason: reason.replacing("_", with: " "), count: count)
        }
        startMessage = message(record.startMessage, preview.startMessage)
        endMessage = message(record.endMessage, preview.endMessage)
        canStart = event.allowedTransitions.contains(.start)
        canEnd = event.allowedTransitions.contains(.end)
        canCancel = event.allowedTransitions.contains(.cancel)
        isLive = record.state == .active || record.state == .ended
        showsAudience = record.state.hasMessagesToSend
        measuredWith = preview.measuredWithName
    }
}

/// An event's page: its summary and its deliveries so far.
struct EventView: PageView {
    static let template = "console-event"
    struct Delivery: PageValues {
        let alert: String
        let status: String
        let count: Int
    }
    let event: EventSummary
    let deliveries: [Delivery]
    let noDeliveries: Bool
    var queuedNotice: String?
}

/// The confirmation before starting, ending or cancelling an event.
struct EventConfirmView: PageView {
    static let template = "console-event-confirm"
    let event: EventSummary
    let action: String
    let question: String
    let button: String
    /// Whether the action texts the group (start, end), so the message is shown.
    let texts: Bool
}
