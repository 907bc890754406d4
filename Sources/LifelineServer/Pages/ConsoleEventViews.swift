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
        id = record.id
        self.name = record.name
        state = record.state.rawValue
        group = record.groupName
        kind = record.kind.rawValue
        recipients = preview.recipients
        recipientsNoun = preview.recipients == 1 ? "person" : "people"
        skipped = Self.skips(preview)
        startMessage = Self.message(record.startMessage, preview.startMessage, eventName: record.name, preview: preview)
        endMessage = Self.message(record.endMessage, preview.endMessage, eventName: record.name, preview: preview)
        canStart = event.allowedTransitions.contains(.start)
        canEnd = event.allowedTransitions.contains(.end)
        canCancel = event.allowedTransitions.contains(.cancel)
        isLive = record.state == .active || record.state == .ended
        showsAudience = record.state.hasMessagesToSend
        measuredWith = preview.measuredWithName
    }

    /// A message as a recipient will read it (with the longest recipient's name), and its cost.
    static func message(_ text: String, _ length: SMSLength, eventName: String, preview: EventPreview) -> Message {
        let name = preview.measuredWithName ?? "Alex"
        let shown = (try? AlertTemplate(text, field: "message"))?.rendered(eventName: eventName, recipientName: name) ?? text
        return Message(
            text: shown, encoding: length.encoding.rawValue,
            parts: length.segments == 1 ? "1 SMS part" : "\(length.segments) SMS parts", warning: length.needsWarning)
    }

    /// Who the preview skips, by reason in the preview's order; reasons nobody has are left out.
    static func skips(_ preview: EventPreview) -> [Skip] {
        EventPreview.skipReasons.compactMap { reason in
            guard let count = preview.skipped[reason], count > 0 else { return nil }
            return Skip(reason: reason.replacing("_", with: " "), count: count)
        }
    }
}

/// An event's page: its summary, its deliveries so far, and how long the rest will take.
struct EventView: PageView {
    static let template = "console-event"
    struct Delivery: PageValues {
        let alert: String
        let status: String
        let count: Int
        /// Attempts with no answer from the provider: perhaps received twice.
        let maybeSent: Int
    }
    let event: EventSummary
    let deliveries: [Delivery]
    let noDeliveries: Bool
    /// When messages still wait: how long they will take at the current pace.
    let pace: String?
    /// The alerts' parts as this page measured them, for the live refresh's pace line.
    let liveParts: String
    var queuedNotice: String?
    /// The event's audit, oldest first: who triggered, created, started, ended it.
    var history: [HistoryLine] = []
    /// While the event is open, the monitor's word that the problem is over: the end offered.
    var resolvedNotice: String?
    /// The question's tallies, when the event asks one.
    var responses: ResponsesPanel?
    /// The on-call notices, when monitoring drafted the event.
    var onCall: OnCallPanel?

    /// A line of the audit. Its detail is never nil: a nil value inside a list makes the
    /// template look further out, to the page's own values, which have none of that name.
    struct HistoryLine: PageValues {
        let at: String
        let actor: String
        let action: String
        let detail: String
        let hasDetail: Bool
    }

    /// The history part of the page, from the event's audit and triggers.
    mutating func show(_ history: EventHistory, state: EventState) {
        self.history = history.audit.map {
            HistoryLine(
                at: PageTimeText.minute($0.at) + " UTC", actor: $0.actor, action: $0.action, detail: $0.detail ?? "", hasDetail: $0.detail != nil)
        }
        resolvedNotice = nil
        if let resolvedAt = history.resolvedAt, state == .draft || state == .active {
            let offer = state == .active ? "End the event when you are sure." : "Cancel the draft if nobody needs texting."
            resolvedNotice = "Monitoring reported the problem over at \(PageTimeText.minute(resolvedAt)) UTC. \(offer)"
        }
    }

    static func deliveries(_ deliveries: [AlertDeliveries]) -> [Delivery] {
        deliveries.map { Delivery(alert: $0.alert, status: $0.status.rawValue, count: $0.count, maybeSent: $0.maybeSent) }
    }
}

/// SMS parts a message of each alert takes, as the preview measures them with the longest
/// recipient name. The event page measures them once and its live refresh passes them back
/// (`?parts=START,END`), so the refresh every few seconds does not read the whole audience again.
struct AlertParts: Equatable {
    let start: Int
    let end: Int

    init(_ preview: EventPreview) {
        start = preview.startMessage.segments
        end = preview.endMessage.segments
    }

    /// `START,END` as the page wrote it; one part each when absent or not that (an estimate
    /// on the operator's own page is all it feeds).
    init(query: String?) {
        let numbers = (query ?? "").split(separator: ",").compactMap { Int($0) }.map { min(max($0, 1), 255) }
        start = numbers.count == 2 ? numbers[0] : 1
        end = numbers.count == 2 ? numbers[1] : 1
    }

    var query: String { "\(start),\(end)" }
}

/// "How long until everyone has it", in the words the event page shows.
enum PaceText {
    /// Nil when nothing waits, or when no dispatcher runs in this process.
    static func line(waiting deliveries: [AlertDeliveries], parts alertParts: AlertParts, pace: DispatchPace?) -> String? {
        let waiting = deliveries.waiting
        guard waiting > 0, let pace else { return nil }
        let messages = waiting == 1 ? "1 message" : "\(waiting) messages"
        let parts = deliveries.filter(\.isWaiting).reduce(0) { $0 + $1.count * ($1.alert == "start" ? alertParts.start : alertParts.end) }
        switch pace {
        case .stopped:
            return "\(messages) to send wait: no provider is taking messages just now. They go out when one recovers."
        case .unpaced(let provider):
            return "\(messages) to send, as fast as \(provider) takes them."
        case .paced(let provider, let rate):
            let time = pace.timeToSend(parts: parts).map(rough) ?? "a moment"
            return "\(messages) to send: about \(time) at \(rate.formatted()) SMS parts a second through \(provider)."
        }
    }

    /// A duration as a person says it: "under a minute", "about 4 minutes", "about 2 h 10 min".
    static func rough(_ duration: Duration) -> String {
        let seconds = Int(duration.components.seconds) + (duration.components.attoseconds > 0 ? 1 : 0)
        if seconds < 60 { return "under a minute" }
        let minutes = (seconds + 30) / 60
        if minutes < 60 { return minutes == 1 ? "1 minute" : "\(minutes) minutes" }
        return "\(minutes / 60) h \(minutes % 60) min"
    }
}

extension Double {
    /// 1, 0.5, 12.25: no trailing zeros.
    fileprivate func formatted() -> String {
        self == rounded() ? String(Int(self)) : String(self)
    }
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
    /// A reminder's key, made when the page is shown: submitting the form twice sends once.
    var idempotencyKey: String?
}

/// An event's answers beside its deliveries: one line per answer, then no answer and undelivered.
struct ResponsesPanel: PageValues {
    struct Line: PageValues {
        /// The cell's id, which the live refresh updates (`tally-1`, `no-answer`, `undelivered`).
        let id: String
        let label: String
        let count: Int
    }

    let eventID: Int64
    let question: String
    let lines: [Line]
    /// Reminders go while the event is active, to those who have not answered.
    let canRemind: Bool

    init(_ responses: EventResponses, state: EventState) {
        eventID = responses.eventID
        question = responses.question
        lines = Self.lines(responses.counts)
        canRemind = state == .active && responses.remindable > 0
    }

    static func lines(_ counts: AnswerCounts) -> [Line] {
        counts.tallies.map { Line(id: "tally-\($0.number)", label: "\($0.number): \($0.answer)", count: $0.count) } + [
            Line(id: "no-answer", label: "No answer yet", count: counts.noAnswer),
            Line(id: "undelivered", label: "Not delivered", count: counts.undelivered),
        ]
    }
}
