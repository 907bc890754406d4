import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// What a SCIM Group document says: its name, and its externalId and members when mentioned.
struct SCIMGroupValues {
    var displayName: String
    var externalID: String??
    /// The members' user ids; nil when the request does not mention members.
    var members: [Int64]?

    init(_ document: SCIMObject, isComplete: Bool) throws {
        guard let name = document["displayName"]?.string?.trimmingBlanks(), !name.isEmpty else {
            throw SCIMFailure.invalidValue("displayName is required: a non-empty string")
        }
        try TextLimit.name.checkSCIM(name, field: "displayName")
        displayName = name
        if let value = document["externalId"] {
            let text = value.string.map { $0.trimmingBlanks() }.flatMap { $0.isEmpty ? nil : $0 }
            if let text { try TextLimit.name.checkSCIM(text, field: "externalId") }
            externalID = .some(text)
        } else {
            externalID = isComplete ? .some(nil) : nil
        }
        if let value = document["members"], value != .null {
            guard let items = value.array else { throw SCIMFailure.invalidValue("members must be an array") }
            members = try items.enumerated().map { index, item in
                guard let text = item.object?["value"]?.scalarText, let id = Int64(text) else {
                    throw SCIMFailure.invalidValue("members[\(index)] has no value that is a user's id")
                }
                return id
            }
        } else {
            members = isComplete ? [] : nil
        }
    }
}

extension TextLimit {
    /// The limit, as a SCIM `invalidValue`.
    func checkSCIM(_ text: String, field: String) throws {
        do {
            try check(text, field: field)
        } catch {
            throw SCIMFailure.invalidValue(error.message)
        }
    }
}

extension SCIMProvisioning {
    static func groupField(_ name: String) -> ProvisionedField? {
        switch name {
        case "displayname": .displayName
        case "externalid": .externalID
        case "id": .id
        default: nil
        }
    }

    /// Whether a projection leaves members out, so they need not be read.
    private static func needsMembers(_ projection: (attributes: [SCIMPath], excluded: [SCIMPath])) -> Bool {
        let isMembers = { (path: SCIMPath) in path.schema == nil && path.attribute.map(ASCIICaseFold.folded) == "members" }
        if !projection.attributes.isEmpty { return projection.attributes.contains(where: isMembers) }
        return !projection.excluded.contains { isMembers($0) && $0.subAttribute == nil }
    }

    /// A page of groups; `query.filter` may ask about displayName, externalId and id.
    public func groups(_ query: SCIMQuery, client: SCIMClient) throws -> SCIMListResponse {
        let predicate = try query.filter.map { try SCIMFilter(parsing: $0).predicate(field: Self.groupField) }
        let projection = try query.projection()
        let withMembers = Self.needsMembers(projection)
        return try database.read { connection in
            let store = ProvisioningStore(connection: connection)
            let (total, ids) = try store.groupIDs(matching: predicate, offset: query.offset, limit: query.limit)
            let resources = try ids.compactMap { id in
                try store.group(id: id, withMembers: withMembers).map {
                    SCIMValue.object(SCIMResources.projected(
                        SCIMResources.group($0, location: client.location), attributes: projection.attributes, excluded: projection.excluded))
                }
            }
            return SCIMListResponse(totalResults: total, startIndex: query.offset + 1, itemsPerPage: resources.count, resources: resources)
        }
    }

    public func group(id text: String, query: SCIMQuery = SCIMQuery(), client: SCIMClient) throws -> SCIMObject {
        let id = try Self.id(text, kind: "group")
        let projection = try query.projection()
        let record = try database.read { connection in
            try ProvisioningStore(connection: connection).group(id: id, withMembers: Self.needsMembers(projection))
        }
        guard let record else { throw SCIMFailure.notFound("no group has the id '\(text)'") }
        return SCIMResources.projected(SCIMResources.group(record, location: client.location), attributes: projection.attributes, excluded: projection.excluded)
    }

    private func renderedGroup(id: Int64, store: ProvisioningStore, client: SCIMClient) throws -> SCIMObject {
        guard let record = try store.group(id: id) else { throw SCIMFailure.notFound("no group has the id '\(id)'") }
        return SCIMResources.group(record, location: client.location)
    }

    /// Creates a group, or adopts the one of that name an import made, or brings back the one
    /// a provider deleted.
    public func createGroup(_ body: SCIMValue, client: SCIMClient) throws -> SCIMObject {
        let values = try SCIMGroupValues(try Self.document(body, kind: "group"), isComplete: false)
        let now = clock.now()
        return try database.write { connection in
            let store = ProvisioningStore(connection: connection)
            var changes: [String] = []
            let id: Int64
            if let existing = try store.groupByName(values.displayName) {
                guard existing.isDeleted || !existing.isNamed else {
                    throw SCIMFailure.uniqueness("a group named '\(values.displayName)' exists (id \(existing.id))")
                }
                id = existing.id
                changes.append(existing.isDeleted ? "brought back" : "adopted from the directory")
            } else {
                id = try DirectoryStore(connection: connection).createGroup(name: values.displayName, at: now)
                changes.append("created")
            }
            try store.touchGroup(id: id, externalID: values.externalID ?? nil, at: now)
            // Members not mentioned are left alone, as an adopted group's are.
            if let members = values.members { try setMembers(members, of: id, store: store, connection: connection, changes: &changes) }
            try store.recordChange(
                source: .scim, actor: client.actor, userID: nil, groupName: values.displayName, summary: changes.joined(separator: "; "), at: now)
            return try renderedGroup(id: id, store: store, client: client)
        }
    }

    /// Replaces what a PUT mentions of a group.
    public func replaceGroup(id text: String, _ body: SCIMValue, ifMatch: String? = nil, client: SCIMClient) throws -> SCIMObject {
        let id = try Self.id(text, kind: "group")
        let values = try SCIMGroupValues(try Self.document(body, kind: "group"), isComplete: false)
        let now = clock.now()
        return try database.write { connection in
            let store = ProvisioningStore(connection: connection)
            try Self.checkVersion(ifMatch, of: try renderedGroup(id: id, store: store, client: client))
            try write(values, to: id, store: store, connection: connection, actor: client.actor, now: now)
            return try renderedGroup(id: id, store: store, client: client)
        }
    }

    /// Applies PATCH operations to a group (Entra ID adds and removes members so). Answers
    /// nothing: a group of thousands is not sent back for each member added.
    public func patchGroup(id text: String, _ body: SCIMValue, ifMatch: String? = nil, client: SCIMClient) throws {
        let id = try Self.id(text, kind: "group")
        let operations = try SCIMPatchOperation.operations(in: body)
        let now = clock.now()
        try database.write { connection in
            let store = ProvisioningStore(connection: connection)
            var document = try renderedGroup(id: id, store: store, client: client)
            try Self.checkVersion(ifMatch, of: document)
            for operation in operations { try operation.apply(to: &document) }
            let values = try SCIMGroupValues(document, isComplete: true)
            try write(values, to: id, store: store, connection: connection, actor: client.actor, now: now)
        }
    }

    /// Empties the group and hides it from providers; the group stays for the events that name it.
    public func deleteGroup(id text: String, ifMatch: String? = nil, client: SCIMClient) throws {
        let id = try Self.id(text, kind: "group")
        let now = clock.now()
        try database.write { connection in
            let store = ProvisioningStore(connection: connection)
            let document = try renderedGroup(id: id, store: store, client: client)
            try Self.checkVersion(ifMatch, of: document)
            let members = document["members"]?.array?.count ?? 0
            try store.markGroupDeleted(id: id, at: now)
            try store.recordChange(
                source: .scim, actor: client.actor, userID: nil, groupName: document["displayName"]?.string,
                summary: "deleted: emptied of \(members) member(s)", at: now)
        }
    }

    private func write(
        _ values: SCIMGroupValues, to id: Int64, store: ProvisioningStore, connection: any SQLConnection, actor: String, now: Date
    ) throws {
        guard let before = try store.group(id: id, withMembers: false) else { throw SCIMFailure.notFound("no group has the id '\(id)'") }
        var changes: [String] = []
        if values.displayName != before.name {
            if let other = try store.groupByName(values.displayName), other.id != id {
                throw SCIMFailure.uniqueness("a group named '\(values.displayName)' exists (id \(other.id))")
            }
            try store.renameGroup(id: id, to: values.displayName)
            changes.append("renamed from \(before.name)")
        }
        let externalID = values.externalID ?? before.externalID
        if externalID != before.externalID { changes.append("externalId changed") }
        if let members = values.members { try setMembers(members, of: id, store: store, connection: connection, changes: &changes) }
        guard !changes.isEmpty else { return }
        try store.touchGroup(id: id, externalID: externalID, at: now)
        try store.recordChange(
            source: .scim, actor: actor, userID: nil, groupName: values.displayName, summary: changes.joined(separator: "; "), at: now)
    }

    /// Makes the group's visible members exactly `wanted`; each must be a user providers can see.
    private func setMembers(
        _ wanted: [Int64], of groupID: Int64, store: ProvisioningStore, connection: any SQLConnection, changes: inout [String]
    ) throws {
        let wantedSet = Set(wanted)
        let known = try store.visibleUserIDs(among: Array(wantedSet))
        if let unknown = wanted.first(where: { !known.contains($0) }) {
            throw SCIMFailure.invalidValue("members: no user has the id '\(unknown)'")
        }
        let current = Set(try store.members(groupID: groupID).map(\.id))
        let added = wantedSet.subtracting(current)
        let removed = current.subtracting(wantedSet)
        let writer = try DirectoryWriter(connection: connection)
        let now = clock.now().epochMilliseconds
        for userID in added.sorted() { try writer.addMembership(groupID: groupID, userID: userID, at: now) }
        for userID in removed.sorted() { try store.removeMembership(groupID: groupID, userID: userID) }
        if !added.isEmpty || !removed.isEmpty { changes.append("members +\(added.count) −\(removed.count)") }
    }
}
