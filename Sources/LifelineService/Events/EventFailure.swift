import LifelineStore
import LifelineVocabulary
/// A continuity-event request that cannot be done.
public enum EventFailure: LifelineFailure, Equatable {
    case unknownPlaceholder(field: String, placeholder: String)
    case emptyMessage(field: String)
    case messageTooLong(field: String, length: Int, maximum: Int)
    case nameInvalid(String)
    case notesTooLong(length: Int)
    case endsBeforeStart
    case eventNotFound(Int64)
    case illegalTransition(id: Int64, state: EventState, action: String)
    case unreadableTime(option: String, text: String)

    public var kind: FailureKind {
        switch self {
        case .eventNotFound: .inputMissing
        case .illegalTransition: .usage
        default: .badInput
        }
    }

    public var message: String {
        switch self {
        case .unknownPlaceholder(let field, let placeholder):
            "\(field) uses {\(placeholder)}, which is not a placeholder; use {event} or {name}"
        case .emptyMessage(let field): "\(field) is empty"
        case .messageTooLong(let field, let length, let maximum):
            "\(field) is \(length) characters; at most \(maximum) (ten SMS parts)"
        case .nameInvalid(let name): "event name '\(name)' must be 1 to 100 characters"
        case .notesTooLong(let length): "the notes are \(length) characters; at most 500"
        case .endsBeforeStart: "the end time is before the start time"
        case .eventNotFound(let id): "no continuity event \(id)"
        case .illegalTransition(let id, let state, let action):
            "event \(id) is \(state.rawValue): it cannot be \(action)"
        case .unreadableTime(let option, let text):
            "\(option) '\(text)' is not a time; use ISO 8601 with a zone, such as 2026-12-01T08:00:00Z"
        }
    }

    public var remedy: String? {
        switch self {
        case .eventNotFound: "`lifeline events list` shows the events"
        case .illegalTransition(_, let state, _):
            switch state {
            case .draft: "start it first (`lifeline events start ID`), or cancel it"
            case .cancelled: "create a new event"
            case .active, .ended: nil
            }
        default: nil
        }
    }
}
