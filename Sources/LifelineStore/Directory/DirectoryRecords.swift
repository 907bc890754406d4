import FoundationEssentials
import LifelineVocabulary

/// One user row.
public struct UserRecord: Sendable, Equatable {
    public let id: Int64
    public let email: String
    public let displayName: String?
    public let status: UserStatus
    public let createdAt: Date
    public let updatedAt: Date
}

/// One attribute definition, with how many users have a value for it.
public struct AttributeDefinition: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let description: String
    public let source: AttributeSource
    public let createdAt: Date
    public let valueCount: Int
}

/// One group, with its member count.
public struct GroupSummary: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let memberCount: Int
}
