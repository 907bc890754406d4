import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// One user as `users show` presents it.
public struct UserDetail: Sendable {
    public let user: UserRecord
    public let attributes: [(name: String, value: String)]
    public let groups: [String]
    /// The SMS attribute's name, when one is chosen.
    public let smsAttribute: String?
    /// The SMS number's verdict, when an SMS attribute is chosen.
    public let smsVerdict: PhoneNumberVerdict?
    /// The number Lifeline sends to: set exactly when the stored verdict is valid (``SMSNumberRule``).
    public let smsNumber: String?
}

/// Answers questions about the directory: users, attributes, groups.
public struct DirectoryQueries: Sendable {
    public let environment: LifelineEnvironment
    public var database: Database { environment.database }

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    /// One user with attributes, groups and SMS number.
    public func user(email: String) throws -> UserDetail {
        return try database.read { connection in
            let store = DirectoryStore(connection: connection)
            guard let user = try store.user(email: email.trimmingBlanks()) else {
                throw DirectoryFailure.userNotFound(email: email)
            }
            let smsAttribute = try SMSSettings(connection: connection).attribute()
            let smsVerdict = try smsAttribute.map { attribute in
                try SMSNumberRule.normalizer(connection: connection)
                    .verdict(for: try store.attributeValue(userID: user.id, attributeID: attribute.id) ?? "")
            }
            return UserDetail(
                user: user, attributes: try store.namedAttributeValues(userID: user.id),
                groups: try store.groupNames(userID: user.id), smsAttribute: smsAttribute?.name, smsVerdict: smsVerdict,
                smsNumber: try SMSSettings(connection: connection).currentNumber(userID: user.id))
        }
    }

    /// Streams users by email, optionally one group's members or one status.
    public func forEachUser(group: String?, status: UserStatus?, _ body: (UserRecord) throws -> Void) throws {
        try database.read { connection in
            let store = DirectoryStore(connection: connection)
            var groupID: Int64?
            if let group {
                guard let id = try store.groupID(named: group) else {
                    throw DirectoryFailure.groupNotFound(name: group, known: try store.groups().map(\.name))
                }
                groupID = id
            }
            try store.forEachUser(groupID: groupID, status: status, body)
        }
    }

    /// Every attribute definition with its value count.
    public func attributes() throws -> [AttributeDefinition] {
        return try database.read { connection in try DirectoryStore(connection: connection).attributes() }
    }

    /// Every group with its member count.
    public func groups() throws -> [GroupSummary] {
        return try database.read { connection in try DirectoryStore(connection: connection).groups() }
    }
}
