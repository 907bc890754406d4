import FoundationEssentials
import LifelineVocabulary

/// A continuity event as stored.
public struct EventRecord: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let groupID: Int64
    public let groupName: String
    public let kind: EventKind
    public let state: EventState
    public let startMessage: String
    public let endMessage: String
    public let startsAt: Date?
    public let endsAt: Date?
    public let notes: String?
    public let createdAt: Date
    public let startedAt: Date?
    public let endedAt: Date?
    public let cancelledAt: Date?
}

/// What `events create` stores.
public struct NewEvent: Sendable {
    public let name: String
    public let groupID: Int64
    public let kind: EventKind
    public let startMessage: String
    public let endMessage: String
    public let startsAt: Date?
    public let endsAt: Date?
    public let notes: String?

    public init(
        name: String, groupID: Int64, kind: EventKind, startMessage: String, endMessage: String, startsAt: Date?,
        endsAt: Date?, notes: String?
    ) {
        self.name = name
        self.groupID = groupID
        self.kind = kind
        self.startMessage = startMessage
        self.endMessage = endMessage
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.notes = notes
    }
}

/// A message body with the recipient's name to fill in: literal parts, the name between each two.
public struct PersonalisedBody: Sendable, Equatable {
    public let parts: [String]

    public init(parts: [String]) {
        precondition(!parts.isEmpty, "a body has at least one (possibly empty) part")
        self.parts = parts
    }
}
