import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// Where SCIM resources are reached (`https://sms.example.org/scim/v2`), for `meta.location`
/// and members' `$ref`.
public struct SCIMLocation: Sendable {
    public let base: String

    public init(base: String) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
    }

    func user(_ id: Int64) -> String { "\(base)/Users/\(id)" }
    func group(_ id: Int64) -> String { "\(base)/Groups/\(id)" }
}

/// Users and groups written as SCIM documents.
enum SCIMResources {
    static func user(_ record: ProvisionedUserRecord, map: SCIMAttributeMap, location: SCIMLocation) -> SCIMObject {
        var document = SCIMObject([("schemas", .array([.string(SCIMSchema.user)])), ("id", .string(String(record.id)))])
        if let externalID = record.externalID { document["externalId"] = .string(externalID) }
        document["userName"] = .string(record.userName)
        if let name = record.displayName { document["displayName"] = .string(name) }
        document["active"] = .bool(record.status == .active)
        document["emails"] = .array([
            .object(SCIMObject([("value", .string(record.email)), ("type", .string("work")), ("primary", .bool(record.emailMarkedPrimary ?? true))]))
        ])
        let values = Dictionary(record.attributes.map { (NameKey.of($0.name), $0.value) }, uniquingKeysWith: { first, _ in first })
        for entry in map.entries {
            if let value = values[NameKey.of(entry.attribute)] { map.set(value, for: entry, in: &document) }
        }
        let extensions = SCIMSchema.extensions.filter { document.has($0) }
        if !extensions.isEmpty { document["schemas"] = .array(([SCIMSchema.user] + extensions).map(SCIMValue.string)) }
        if !record.groups.isEmpty {
            document["groups"] = .array(record.groups.map { group in
                .object(SCIMObject([
                    ("value", .string(String(group.id))), ("display", .string(group.display)),
                    ("$ref", .string(location.group(group.id))), ("type", .string("direct")),
                ]))
            })
        }
        return withMeta(document, type: "User", created: record.createdAt, modified: record.lastModified, location: location.user(record.id))
    }

    static func group(_ record: ProvisionedGroupRecord, location: SCIMLocation) -> SCIMObject {
        var document = SCIMObject([("schemas", .array([.string(SCIMSchema.group)])), ("id", .string(String(record.id)))])
        if let externalID = record.externalID { document["externalId"] = .string(externalID) }
        document["displayName"] = .string(record.name)
        document["members"] = .array(record.members.map { member in
            // No display: RFC 7643's Group schema (§8.7.1) has none for members, and a member
            // is written back as it was sent.
            .object(SCIMObject([
                ("value", .string(String(member.id))), ("$ref", .string(location.user(member.id))), ("type", .string("User")),
            ]))
        })
        return withMeta(document, type: "Group", created: record.createdAt, modified: record.lastModified, location: location.group(record.id))
    }

    /// `meta`, with a `version` that changes whenever anything the document says changes.
    private static func withMeta(_ document: SCIMObject, type: String, created: Date, modified: Date, location: String) -> SCIMObject {
        var document = document
        document["meta"] = .object(SCIMObject([
            ("resourceType", .string(type)),
            ("created", .string(UTCTimestamp.string(from: created))),
            ("lastModified", .string(UTCTimestamp.string(from: modified))),
            ("location", .string(location)),
            ("version", .string(version(of: document))),
        ]))
        return document
    }

    /// A weak ETag: the document's digest, its keys sorted so that the same document always
    /// has the same version.
    static func version(of document: SCIMObject) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = (try? encoder.encode(SCIMValue.object(document))) ?? Data()
        return "W/\"" + Hex.sha256(of: String(decoding: bytes, as: UTF8.self)).prefix(20) + "\""
    }

    /// The document trimmed as `attributes=` (only these) or `excludedAttributes=` (all but
    /// these) ask; `id` and `schemas` always stay.
    static func projected(_ document: SCIMObject, attributes: [SCIMPath], excluded: [SCIMPath]) -> SCIMObject {
        let always = ["schemas", "id"]
        if !attributes.isEmpty {
            var kept = SCIMObject()
            for member in document.members where always.contains(member.name) { kept[member.name] = member.value }
            for path in attributes {
                copy(path, from: document, into: &kept)
            }
            // Members in the document's own order.
            return SCIMObject(document.members.compactMap { member in kept[member.name].map { (member.name, $0) } })
        }
        var trimmed = document
        for path in excluded { remove(path, from: &trimmed, keeping: always) }
        return trimmed
    }

    private static func copy(_ path: SCIMPath, from document: SCIMObject, into kept: inout SCIMObject) {
        guard let attribute = path.attribute else {
            if let schema = path.schema, let value = document[schema] { kept[schema] = value }
            return
        }
        if let schema = path.schema {
            guard let source = document[schema]?.object else { return }
            var target = kept[schema]?.object ?? SCIMObject()
            copy(SCIMPath(attribute: attribute, subAttribute: path.subAttribute), from: source, into: &target)
            if !target.members.isEmpty { kept[schema] = .object(target) }
            return
        }
        guard let value = document[attribute] else { return }
        guard let sub = path.subAttribute else {
            kept[attribute] = value
            return
        }
        if let items = value.array {
            let existing = kept[attribute]?.array
            kept[attribute] = .array(items.enumerated().map { index, item in
                var target = existing?[safe: index]?.object ?? SCIMObject()
                if let found = item.object?[sub] { target[sub] = found }
                return .object(target)
            })
        } else if let found = value.object?[sub] {
            var target = kept[attribute]?.object ?? SCIMObject()
            target[sub] = found
            kept[attribute] = .object(target)
        }
    }

    private static func remove(_ path: SCIMPath, from document: inout SCIMObject, keeping always: [String]) {
        guard let attribute = path.attribute else {
            if let schema = path.schema { document[schema] = nil }
            return
        }
        if let schema = path.schema {
            guard var inner = document[schema]?.object else { return }
            remove(SCIMPath(attribute: attribute, subAttribute: path.subAttribute), from: &inner, keeping: [])
            document[schema] = inner.members.isEmpty ? nil : .object(inner)
            return
        }
        if always.contains(where: { ASCIICaseFold.folded($0) == ASCIICaseFold.folded(attribute) }) { return }
        guard let sub = path.subAttribute else {
            document[attribute] = nil
            return
        }
        if let items = document[attribute]?.array {
            document[attribute] = .array(items.map { item in
                var object = item.object ?? SCIMObject()
                object[sub] = nil
                return .object(object)
            })
        } else if var object = document[attribute]?.object {
            object[sub] = nil
            document[attribute] = .object(object)
        }
    }
}
