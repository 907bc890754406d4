import LifelineStore
import LifelineVocabulary

/// An authentication profile.
public struct AuthProfile: Sendable, Equatable {
    public let name: String
    public let resetOptions: ResetOptions
    public let twoStep: TwoStep
    /// The groups it is assigned to, highest priority first.
    public let assignments: [ProfileAssignment]

    init(_ record: ProfileRecord, assignments: [ProfileAssignment] = []) {
        name = record.name
        resetOptions = record.resetOptions
        twoStep = record.twoStep
        self.assignments = assignments
    }
}

/// Authentication profiles: create, change, assign to groups, and the one a user gets.
public struct ProfileService: Sendable {
    public static let defaultProfile = "default"

    public let environment: LifelineEnvironment
    public var database: Database { environment.database }
    public var clock: any WallClock { environment.clock }

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    public func list() throws -> [AuthProfile] {
        try database.read { connection in            let store = ProfileStore(connection: connection)
            return try store.profiles().map { AuthProfile($0, assignments: try store.assignments(profileID: $0.id)) }
        }
    }

    public func show(name: String) throws -> AuthProfile {
        try database.read { connection in            let store = ProfileStore(connection: connection)
            let record = try Self.require(name, in: store)
            return AuthProfile(record, assignments: try store.assignments(profileID: record.id))
        }
    }

    public func create(name: String, resetOptions: ResetOptions, twoStep: TwoStep) throws {
        let name = name.trimmingBlanks()
        try TextLimit.name.check(name, field: "the profile name")
        guard (1...64).contains(name.unicodeScalars.count) else { throw ProfileFailure.invalidName(name) }
        try database.write { connection in
            let store = ProfileStore(connection: connection)
            guard try store.profile(named: name) == nil else { throw ProfileFailure.exists(name) }
            try store.create(name: name, resetOptions: resetOptions, twoStep: twoStep, at: clock.now())
        }
    }

    public func update(name: String, resetOptions: ResetOptions?, twoStep: TwoStep?) throws {
        try database.write { connection in
            let store = ProfileStore(connection: connection)
            let record = try Self.require(name, in: store)
            try store.update(
                id: record.id, resetOptions: resetOptions ?? record.resetOptions,
                twoStep: twoStep ?? record.twoStep, at: clock.now())
        }
    }

    /// Assigns the profile to a group; a higher priority wins when a user is in several such groups.
    public func assign(name: String, group: String, priority: Int) throws {
        try database.write { connection in
            let store = ProfileStore(connection: connection)
            let record = try Self.require(name, in: store)
            let groupID = try DirectoryStore(connection: connection).requireGroupID(named: group)
            if let holder = try store.groupName(holdingPriority: priority), !NameKey.same(holder, group) {
                throw ProfileFailure.priorityTaken(priority: priority, group: holder)
            }
            try store.assign(profileID: record.id, groupID: groupID, priority: priority, at: clock.now())
        }
    }

    /// The profile a user gets: their highest-priority group's, else `default`.
    public func effectiveProfile(email: String) throws -> AuthProfile {
        try database.read { connection in            guard let user = try DirectoryStore(connection: connection).user(email: email.trimmingBlanks()) else {
                throw DirectoryFailure.userNotFound(email: email)
            }
            return try Self.effectiveProfile(userID: user.id, connection: connection)
        }
    }

    static func effectiveProfile(userID: Int64, connection: any SQLConnection) throws -> AuthProfile {
        guard let record = try ProfileStore(connection: connection).effectiveProfile(userID: userID) else {
            throw ProfileFailure.notFound(defaultProfile)
        }
        return AuthProfile(record)
    }

    private static func require(_ name: String, in store: ProfileStore) throws -> ProfileRecord {
        guard let record = try store.profile(named: name.trimmingBlanks()) else { throw ProfileFailure.notFound(name) }
        return record
    }
}

/// A profile request that cannot be done.
public enum ProfileFailure: LifelineFailure, Equatable {
    case notFound(String)
    case exists(String)
    case invalidName(String)
    case priorityTaken(priority: Int, group: String)

    public var kind: FailureKind {
        switch self {
        case .notFound: .inputMissing
        case .exists, .invalidName, .priorityTaken: .usage
        }
    }

    public var message: String {
        switch self {
        case .notFound(let name): "no authentication profile named '\(name)'"
        case .exists(let name): "a profile named '\(name)' already exists"
        case .invalidName(let name): "profile name '\(name)' must be 1 to 64 characters"
        case .priorityTaken(let priority, let group): "priority \(priority) is already taken by the group '\(group)'"
        }
    }

    public var remedy: String? {
        switch self {
        case .notFound: "`lifeline profiles list` lists them"
        case .priorityTaken: "priorities are unique, so the highest is never a tie: pick another"
        default: nil
        }
    }
}
