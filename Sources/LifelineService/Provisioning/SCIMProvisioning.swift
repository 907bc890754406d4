import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// A listing's parameters (RFC 7644 §3.4.2), from a query string or a `.search` body.
public struct SCIMQuery: Sendable, Equatable {
    public var filter: String?
    /// 1-based; values below 1 mean 1.
    public var startIndex: Int?
    public var count: Int?
    public var attributes: [String] = []
    public var excludedAttributes: [String] = []

    public init(filter: String? = nil, startIndex: Int? = nil, count: Int? = nil, attributes: [String] = [], excludedAttributes: [String] = []) {
        self.filter = filter
        self.startIndex = startIndex
        self.count = count
        self.attributes = attributes
        self.excludedAttributes = excludedAttributes
    }

    /// The most resources one page holds (`ServiceProviderConfig`'s `filter.maxResults`).
    public static let maximumCount = 1_000
    static let defaultCount = 100

    var offset: Int { max(1, startIndex ?? 1) - 1 }
    var limit: Int { min(max(0, count ?? Self.defaultCount), Self.maximumCount) }

    func projection() throws -> (attributes: [SCIMPath], excluded: [SCIMPath]) {
        (try Self.paths(attributes), try Self.paths(excludedAttributes))
    }

    /// `attributes=a,b` as paths; a bad one is `invalidValue`.
    static func paths(_ names: [String]) throws -> [SCIMPath] {
        try names.flatMap { $0.split(separator: ",") }.map { String($0).trimmingBlanks() }.filter { !$0.isEmpty }.map { name in
            do {
                return try SCIMPath(parsing: name)
            } catch let failure as SCIMFailure {
                throw SCIMFailure.invalidValue("attributes: \(failure.message)")
            }
        }
    }
}

/// A page of resources (RFC 7644 §3.4.2's ListResponse).
public struct SCIMListResponse: Encodable, Sendable {
    public let schemas = [SCIMSchema.listResponse]
    public let totalResults: Int
    public let startIndex: Int
    public let itemsPerPage: Int
    public let resources: [SCIMValue]

    enum CodingKeys: String, CodingKey {
        case schemas, totalResults, startIndex, itemsPerPage
        case resources = "Resources"
    }
}

/// Who is provisioning, and where the resources are reached.
public struct SCIMClient: Sendable {
    /// The API key's name, recorded with every change.
    public let actor: String
    public let location: SCIMLocation

    public init(actor: String, location: SCIMLocation) {
        self.actor = actor
        self.location = location
    }
}

/// The directory as identity providers (Entra ID, Okta, OneLogin, JumpCloud) provision it over
/// SCIM 2.0 (RFC 7643, RFC 7644): users and groups created, read, listed, replaced, patched and
/// deleted.
///
/// A user's writes keep the import's rules: the email's shape, the one number rule on the SMS
/// attribute (a number is stored whatever it is worth, with its verdict), attributes defined on
/// first sight, consent left bound to the number. An attribute a request does not mention is
/// left alone, and one sent empty or removed is cleared alone. Deactivating a user disables them
/// and keeps their groups; deleting one disables them, removes their groups and hides them from
/// providers. Nothing touches the consent ledger. Each change is recorded with the key's name.
public struct SCIMProvisioning: Sendable {
    public let environment: LifelineEnvironment
    public var database: Database { environment.database }
    public var clock: any WallClock { environment.clock }

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    static func id(_ text: String, kind: String) throws -> Int64 {
        guard let id = Int64(text), id > 0 else { throw SCIMFailure.notFound("no \(kind) has the id '\(text)'") }
        return id
    }

    static func checkVersion(_ ifMatch: String?, of document: SCIMObject) throws {
        guard let ifMatch = ifMatch?.trimmingBlanks(), !ifMatch.isEmpty, ifMatch != "*" else { return }
        let current = document["meta"]?.object?["version"]?.string
        let offered = ifMatch.split(separator: ",").map { String($0).trimmingBlanks() }
        // Weak comparison (RFC 9110 §8.8.3.2): W/ does not matter.
        func opaque(_ tag: String) -> String { tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag }
        guard let current, offered.contains(where: { opaque($0) == opaque(current) }) else {
            throw SCIMFailure.versionMismatch("the resource changed since version \(ifMatch): it is \(current ?? "gone") now")
        }
    }

    static func document(_ body: SCIMValue, kind: String) throws -> SCIMObject {
        guard let document = body.object else { throw SCIMFailure.invalidSyntax("a \(kind) must be a JSON object") }
        return document
    }

    // MARK: Users

    /// A page of users; `query.filter` may ask about userName, emails, displayName, externalId, active and id.
    public func users(_ query: SCIMQuery, client: SCIMClient) throws -> SCIMListResponse {
        let predicate = try query.filter.map { try SCIMFilter(parsing: $0).predicate(field: Self.userField) }
        let projection = try query.projection()
        return try database.read { connection in
            let store = ProvisioningStore(connection: connection)
            let map = try SCIMAttributeMap.current(connection: connection)
            let (total, ids) = try store.userIDs(matching: predicate, offset: query.offset, limit: query.limit)
            let resources = try ids.compactMap { id in
                try store.user(id: id).map {
                    SCIMValue.object(SCIMResources.projected(
                        SCIMResources.user($0, map: map, location: client.location),
                        attributes: projection.attributes, excluded: projection.excluded))
                }
            }
            return SCIMListResponse(totalResults: total, startIndex: query.offset + 1, itemsPerPage: resources.count, resources: resources)
        }
    }

    static func userField(_ name: String) -> ProvisionedField? {
        switch name {
        case "username": .userName
        case "emails", "emails.value": .email
        case "displayname", "name.formatted": .displayName
        case "externalid": .externalID
        case "active": .active
        case "id": .id
        default: nil
        }
    }

    public func user(id text: String, query: SCIMQuery = SCIMQuery(), client: SCIMClient) throws -> SCIMObject {
        let id = try Self.id(text, kind: "user")
        let projection = try query.projection()
        let document = try database.read { connection in
            try renderedUser(id: id, connection: connection, client: client)
        }
        return SCIMResources.projected(document, attributes: projection.attributes, excluded: projection.excluded)
    }

    private func renderedUser(id: Int64, connection: any SQLConnection, client: SCIMClient) throws -> SCIMObject {
        guard let record = try ProvisioningStore(connection: connection).user(id: id) else {
            throw SCIMFailure.notFound("no user has the id '\(id)'")
        }
        return SCIMResources.user(record, map: try SCIMAttributeMap.current(connection: connection), location: client.location)
    }

    /// Creates a user, or takes over the one with the same email that no provider names yet
    /// (imported from a file, or deleted by a provider before).
    public func createUser(_ body: SCIMValue, client: SCIMClient) throws -> SCIMObject {
        let document = try Self.document(body, kind: "user")
        let now = clock.now()
        return try database.write { connection in
            let map = try SCIMAttributeMap.current(connection: connection)
            let values = try SCIMUserValues(document, map: map, isComplete: false)
            let writer = try SCIMUserWriter(connection: connection, map: map, now: now, actor: client.actor)
            let id = try writer.write(values, to: nil)
            return try renderedUser(id: id, connection: connection, client: client)
        }
    }

    /// Replaces what a PUT mentions of a user; what it leaves out is left alone.
    public func replaceUser(id text: String, _ body: SCIMValue, ifMatch: String? = nil, client: SCIMClient) throws -> SCIMObject {
        let id = try Self.id(text, kind: "user")
        let document = try Self.document(body, kind: "user")
        let now = clock.now()
        return try database.write { connection in
            try Self.checkVersion(ifMatch, of: try renderedUser(id: id, connection: connection, client: client))
            let map = try SCIMAttributeMap.current(connection: connection)
            let values = try SCIMUserValues(document, map: map, isComplete: false)
            let writer = try SCIMUserWriter(connection: connection, map: map, now: now, actor: client.actor)
            _ = try writer.write(values, to: id)
            return try renderedUser(id: id, connection: connection, client: client)
        }
    }

    /// Applies PATCH operations to a user as they stand, then writes what changed.
    public func patchUser(id text: String, _ body: SCIMValue, ifMatch: String? = nil, client: SCIMClient) throws -> SCIMObject {
        let id = try Self.id(text, kind: "user")
        let operations = try SCIMPatchOperation.operations(in: body)
        let now = clock.now()
        return try database.write { connection in
            var document = try renderedUser(id: id, connection: connection, client: client)
            try Self.checkVersion(ifMatch, of: document)
            for operation in operations { try operation.apply(to: &document) }
            let map = try SCIMAttributeMap.current(connection: connection)
            let values = try SCIMUserValues(document, map: map, isComplete: true)
            let writer = try SCIMUserWriter(connection: connection, map: map, now: now, actor: client.actor)
            _ = try writer.write(values, to: id)
            return try renderedUser(id: id, connection: connection, client: client)
        }
    }

    /// Disables the user, removes their groups and hides them from providers; their consent
    /// ledger rows stay, as evidence.
    public func deleteUser(id text: String, ifMatch: String? = nil, client: SCIMClient) throws {
        let id = try Self.id(text, kind: "user")
        let now = clock.now()
        try database.write { connection in
            let store = ProvisioningStore(connection: connection)
            guard let record = try store.user(id: id) else { throw SCIMFailure.notFound("no user has the id '\(id)'") }
            try Self.checkVersion(ifMatch, of: SCIMResources.user(record, map: try SCIMAttributeMap.current(connection: connection), location: client.location))
            try store.changeUser(id: id, email: record.email, displayName: record.displayName, status: .disabled, at: now)
            let removed = try store.removeMemberships(userID: id)
            try store.markDeleted(userID: id, userName: record.userName, at: now)
            try store.recordChange(
                source: .scim, actor: client.actor, userID: id, groupName: nil,
                summary: "deleted: disabled, removed from \(removed) group(s)", at: now)
        }
    }
}

/// Writes one user's checked values under the import's rules, and records what changed.
struct SCIMUserWriter {
    let connection: any SQLConnection
    let map: SCIMAttributeMap
    let now: Date
    let actor: String
    private let directory: DirectoryStore
    private let store: ProvisioningStore
    private let values: DirectoryWriter
    private let numbers: SMSNumberStore
    private let smsAttribute: (id: Int64, name: String)?
    private let normalizer: PhoneNumberNormalizer

    init(connection: any SQLConnection, map: SCIMAttributeMap, now: Date, actor: String) throws {
        self.connection = connection
        self.map = map
        self.now = now
        self.actor = actor
        directory = DirectoryStore(connection: connection)
        store = ProvisioningStore(connection: connection)
        values = try DirectoryWriter(connection: connection)
        numbers = try SMSNumberStore(connection: connection)
        smsAttribute = try SMSSettings(connection: connection).identity()
        normalizer = try SMSNumberRule.normalizer(connection: connection)
    }

    /// Writes `incoming` to the user `id`, or (nil) to a new one or the one it takes over;
    /// returns the user's id.
    func write(_ incoming: SCIMUserValues, to id: Int64?) throws -> Int64 {
        var target = id
        if let owner = try store.userByEmail(incoming.email), owner.id != id {
            let named = try store.user(id: owner.id)?.isNamed ?? false
            guard id == nil, owner.isDeleted || !named else {
                throw SCIMFailure.uniqueness("the email '\(incoming.email)' belongs to another user (id \(owner.id))")
            }
            // Imported from a file, or deleted by a provider: the same person, taken over.
            target = owner.id
        }
        // An unnamed user answers to their email; taking them over by it is no clash.
        if let holder = try store.userID(userName: incoming.userName), holder != target {
            throw SCIMFailure.uniqueness("the userName '\(incoming.userName)' belongs to another user (id \(holder))")
        }
        var changes: [String] = []
        let userID: Int64
        let before = try target.flatMap { try directory.user(id: $0) }
        let identityBefore = try target.flatMap { try store.user(id: $0) }
        if let before {
            userID = before.id
            let displayName = incoming.displayName ?? before.displayName
            let status = incoming.active.map { $0 ? UserStatus.active : .disabled } ?? (id == nil ? .active : before.status)
            if before.email != incoming.email { changes.append("email \(before.email) → \(incoming.email)") }
            if displayName != before.displayName { changes.append("name changed") }
            if status != before.status { changes.append(status == .active ? "enabled" : "disabled") }
            if identityBefore == nil { changes.append("taken over from a deleted user") }
            try writeAttributes(incoming, userID: userID, changes: &changes)
            if !changes.isEmpty {
                try store.changeUser(id: userID, email: incoming.email, displayName: displayName, status: status, at: now)
            }
        } else {
            let status: UserStatus = incoming.active == false ? .disabled : .active
            userID = try store.createUser(email: incoming.email, displayName: incoming.displayName ?? nil, status: status, at: now)
            changes.append("created \(incoming.email)" + (status == .disabled ? ", disabled" : ""))
            try writeAttributes(incoming, userID: userID, changes: &changes)
        }
        let externalID = incoming.externalID ?? identityBefore?.externalID
        let emailMarkedPrimary = incoming.emailMarkedPrimary ?? identityBefore?.emailMarkedPrimary
        if identityBefore?.isNamed != true || identityBefore?.userName != incoming.userName || identityBefore?.externalID != externalID
            || identityBefore?.emailMarkedPrimary != emailMarkedPrimary
        {
            if let identityBefore, identityBefore.isNamed, identityBefore.userName != incoming.userName {
                changes.append("userName \(identityBefore.userName) → \(incoming.userName)")
            } else if identityBefore?.externalID != externalID {
                changes.append("externalId changed")
            }
            try store.name(userID: userID, userName: incoming.userName, externalID: externalID, emailMarkedPrimary: emailMarkedPrimary, at: now)
        }
        if !changes.isEmpty {
            try store.recordChange(
                source: .scim, actor: actor, userID: userID, groupName: nil, summary: changes.joined(separator: "; "), at: now)
        }
        return userID
    }

    /// Sets or clears each mapped attribute the request mentions; the SMS attribute's value is
    /// judged by the number rule, as an import judges it.
    private func writeAttributes(_ incoming: SCIMUserValues, userID: Int64, changes: inout [String]) throws {
        for (entry, value) in incoming.attributes {
            let attributeID: Int64
            if let existing = try directory.attributeIdentity(named: entry.attribute) {
                attributeID = existing.id
            } else {
                guard value != nil else { continue }
                attributeID = try directory.defineAttribute(name: entry.attribute, source: .directorySync, at: now)
            }
            let current = try directory.attributeValue(userID: userID, attributeID: attributeID)
            guard current != value else { continue }
            if let value {
                try values.setValue(userID: userID, attributeID: attributeID, value: value, at: now.epochMilliseconds)
                changes.append("\(entry.attribute) \(current == nil ? "set" : "changed")")
            } else {
                try store.removeValue(userID: userID, attributeID: attributeID)
                changes.append("\(entry.attribute) cleared")
            }
            if attributeID == smsAttribute?.id {
                let judged = SMSNumberRule.judge(value, by: normalizer)
                try numbers.set(judged, userID: userID)
                if value != nil && judged.number == nil { changes.append("the number cannot be sent to: \(judged.note ?? "invalid")") }
            }
        }
    }
}
