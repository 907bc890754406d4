import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// A continuity event as operators see it.
public struct ContinuityEvent: Sendable, Equatable {
    public let record: EventRecord
    public var id: Int64 { record.id }
    public var name: String { record.name }
    public var state: EventState { record.state }
    /// What may be done to it now.
    public var allowedTransitions: [EventTransition] { record.state.allowedTransitions }
}

/// What an operator (or the schedule) can do to an event, and from which state: the one
/// place an event's lifecycle is written down. The CLI, the API, the console and the
/// schedule all ask it.
public enum EventTransition: String, Sendable, CaseIterable {
    case start, end, cancel

    /// The state it may be done in.
    public var from: EventState {
        switch self {
        case .start, .cancel: .draft
        case .end: .active
        }
    }

    /// The state it leaves the event in.
    public var to: EventState {
        switch self {
        case .start: .active
        case .end: .ended
        case .cancel: .cancelled
        }
    }

    /// The word for it done: "started", "ended", "cancelled".
    public var pastTense: String {
        switch self {
        case .start: "started"
        case .end: "ended"
        case .cancel: "cancelled"
        }
    }

    /// Whether it texts the group (cancelling a draft texts nobody).
    public var textsTheGroup: Bool { self != .cancel }
}

extension EventState {
    /// What may be done to an event in this state.
    public var allowedTransitions: [EventTransition] { EventTransition.allCases.filter { $0.from == self } }

    /// Whether a message is still to be sent, so who "would be texted now" means something.
    public var hasMessagesToSend: Bool { !allowedTransitions.filter(\.textsTheGroup).isEmpty }
}

/// What an operator asks `events create` for, before it is checked (``problems()``, the one
/// check `create`, the API and the console's form all use).
public struct EventDraft: Sendable {
    public var name: String
    public var group: String
    public var kind: EventKind
    public var startMessage: String
    public var endMessage: String
    public var startsAt: Date?
    public var endsAt: Date?
    public var notes: String?
    /// The question recipients answer by number, from the event's template (its text is in the
    /// start message), with its answers in number order.
    public var question: EventQuestionRecord?

    public init(
        name: String, group: String, kind: EventKind = .unplanned, startMessage: String, endMessage: String,
        startsAt: Date? = nil, endsAt: Date? = nil, notes: String? = nil
    ) {
        self.name = name
        self.group = group
        self.kind = kind
        self.startMessage = startMessage
        self.endMessage = endMessage
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.notes = notes
    }

    /// A time option's value: ISO 8601 with a zone (`2026-12-01T08:00:00Z`, `…+01:00`).
    public static func time(_ text: String, option: String) throws -> Date {
        do {
            return try Date(text.trimmingBlanks(), strategy: .iso8601)
        } catch {
            throw EventFailure.unreadableTime(option: option, text: text)
        }
    }
}

/// What `events start` or `events end` did.
public struct EventTransitionOutcome: Sendable, Equatable {
    public let eventID: Int64
    /// The state the event is in now.
    public let state: EventState
    /// How many alerts this call queued (0 when the event was already past this step).
    public let queued: Int
    /// True when an earlier call had already made this transition, so nothing was done.
    public let alreadyDone: Bool
}

/// Who an event's alert would reach now, and what its messages cost in SMS parts.
public struct EventPreview: Sendable, Equatable {
    /// Nil for a draft not stored yet (a template's preview).
    public let eventID: Int64?
    public let recipients: Int
    /// Members who would get nothing, by reason: disabled, no_number, invalid_number, fixable_number
    /// (a number not yet in long format), not_opted_in, pending, opted_out.
    public let skipped: [String: Int]
    public let startMessage: SMSLength
    public let endMessage: SMSLength
    /// The name the lengths were measured with: the longest among the recipients.
    public let measuredWithName: String?

    /// Reasons in the order a preview lists them.
    public static let skipReasons = [
        "not_opted_in", "pending", "opted_out", "no_number", "invalid_number", "fixable_number", "disabled",
    ]
}

extension EventDraft {
    /// A field a draft's problem belongs to, so a form can show it beside that field.
    public enum Field: String, Sendable, CaseIterable {
        case name, startMessage, endMessage, notes, times
    }

    /// Every field's problem at once, in field order; empty when the draft can be created.
    public func problems() -> [(field: Field, failure: any LifelineFailure)] {
        var problems: [(field: Field, failure: any LifelineFailure)] = []
        func check(_ field: Field, _ body: () throws -> Void) {
            do { try body() } catch let failure as any LifelineFailure { problems.append((field, failure)) } catch {}
        }
        check(.name) {
            try TextLimit.name.check(name, field: "the event name")
            // Scalars, not Characters: one Character can carry any number of combining marks.
            guard (1...100).contains(name.trimmingBlanks().unicodeScalars.count) else { throw EventFailure.nameInvalid(name) }
        }
        check(.startMessage) { _ = try AlertTemplate(startMessage, field: "the start message") }
        check(.endMessage) { _ = try AlertTemplate(endMessage, field: "the end message") }
        check(.notes) {
            try TextLimit.evidence.check(notes, field: "the notes")
            if let notes = checkedNotes, notes.unicodeScalars.count > 500 {
                throw EventFailure.notesTooLong(length: notes.unicodeScalars.count)
            }
        }
        check(.times) {
            if let startsAt, let endsAt, endsAt < startsAt { throw EventFailure.endsBeforeStart }
        }
        return problems
    }

    /// The notes as stored: trimmed, and none when blank.
    var checkedNotes: String? { notes.map { $0.trimmingBlanks() }.flatMap { $0.isEmpty ? nil : $0 } }

    /// The fields as stored, once ``problems()`` found none.
    func checkedFields() throws -> (name: String, start: AlertTemplate, end: AlertTemplate, notes: String?) {
        (
            name.trimmingBlanks(), try AlertTemplate(startMessage, field: "the start message"),
            try AlertTemplate(endMessage, field: "the end message"), checkedNotes
        )
    }
}
