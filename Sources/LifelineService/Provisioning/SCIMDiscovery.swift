import LifelineStore

/// One attribute of a schema (RFC 7643 §7).
public struct SCIMAttributeDefinition: Encodable, Sendable, Equatable {
    public let name: String
    public var type = "string"
    public var multiValued = false
    public var description = ""
    public var required = false
    public var caseExact = false
    public var mutability = "readWrite"
    public var returned = "default"
    public var uniqueness = "none"
    public var canonicalValues: [String]?
    public var referenceTypes: [String]?
    public var subAttributes: [SCIMAttributeDefinition]?

    init(_ name: String, description: String) {
        self.name = name
        self.description = description
    }

    func with(_ change: (inout SCIMAttributeDefinition) -> Void) -> SCIMAttributeDefinition {
        var copy = self
        change(&copy)
        return copy
    }
}

/// A schema resource (RFC 7643 §7).
public struct SCIMSchemaDocument: Encodable, Sendable {
    public let schemas = ["urn:ietf:params:scim:schemas:core:2.0:Schema"]
    public let id: String
    public let name: String
    public let description: String
    public let attributes: [SCIMAttributeDefinition]
    public let meta: SCIMMeta
}

/// A discovery resource's `meta`.
public struct SCIMMeta: Encodable, Sendable {
    public let resourceType: String
    public let location: String
}

/// A resource type (RFC 7643 §6).
public struct SCIMResourceTypeDocument: Encodable, Sendable {
    public struct Extension: Encodable, Sendable {
        public let schema: String
        public let required: Bool
    }

    public let schemas = ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"]
    public let id: String
    public let name: String
    public let endpoint: String
    public let description: String
    public let schema: String
    public let schemaExtensions: [Extension]
    public let meta: SCIMMeta
}

/// What this service provider supports (RFC 7643 §5).
public struct SCIMServiceProviderConfig: Encodable, Sendable {
    public struct Supported: Encodable, Sendable {
        public let supported: Bool
    }

    public struct Bulk: Encodable, Sendable {
        public let supported = false
        public let maxOperations = 0
        public let maxPayloadSize = 0
    }

    public struct Filter: Encodable, Sendable {
        public let supported = true
        public let maxResults = SCIMQuery.maximumCount
    }

    public struct AuthenticationScheme: Encodable, Sendable {
        public let type = "oauthbearertoken"
        public let name = "Bearer token"
        public let description = "A Lifeline API key with the provisioning role (lifeline api-keys create NAME --role provisioning), sent as Authorization: Bearer llk_…"
        public let primary = true
    }

    public let schemas = ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]
    public let documentationUri = "https://lifeline.invalid/docs/provisioning"
    public let patch = Supported(supported: true)
    /// Bulk is not offered: each provider's request stands alone, and all of them retry.
    public let bulk = Bulk()
    public let filter = Filter()
    public let changePassword = Supported(supported: false)
    public let sort = Supported(supported: false)
    public let etag = Supported(supported: true)
    public let authenticationSchemes = [AuthenticationScheme()]
    public let meta: SCIMMeta
}

/// The discovery documents, which follow the attribute map: a server says it keeps exactly the
/// attributes it keeps.
public struct SCIMDiscovery: Sendable {
    public let environment: LifelineEnvironment

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    public func serviceProviderConfig(location: SCIMLocation) -> SCIMServiceProviderConfig {
        SCIMServiceProviderConfig(meta: SCIMMeta(resourceType: "ServiceProviderConfig", location: "\(location.base)/ServiceProviderConfig"))
    }

    public func resourceTypes(location: SCIMLocation) throws -> [SCIMResourceTypeDocument] {
        let map = try environment.database.read { try SCIMAttributeMap.current(connection: $0) }
        return [
            SCIMResourceTypeDocument(
                id: "User", name: "User", endpoint: "/Users", description: "A person in the directory", schema: SCIMSchema.user,
                schemaExtensions: map.extensionSchemas.map { .init(schema: $0, required: false) },
                meta: SCIMMeta(resourceType: "ResourceType", location: "\(location.base)/ResourceTypes/User")),
            SCIMResourceTypeDocument(
                id: "Group", name: "Group", endpoint: "/Groups", description: "A group events are sent to", schema: SCIMSchema.group,
                schemaExtensions: [], meta: SCIMMeta(resourceType: "ResourceType", location: "\(location.base)/ResourceTypes/Group")),
        ]
    }

    public func schemas(location: SCIMLocation) throws -> [SCIMSchemaDocument] {
        let map = try environment.database.read { try SCIMAttributeMap.current(connection: $0) }
        func meta(_ id: String) -> SCIMMeta { SCIMMeta(resourceType: "Schema", location: "\(location.base)/Schemas/\(id)") }
        var documents = [
            SCIMSchemaDocument(
                id: SCIMSchema.user, name: "User", description: "A person in the directory",
                attributes: Self.userAttributes(map: map), meta: meta(SCIMSchema.user)),
            SCIMSchemaDocument(
                id: SCIMSchema.group, name: "Group", description: "A group events are sent to",
                attributes: Self.groupAttributes, meta: meta(SCIMSchema.group)),
        ]
        for schema in map.extensionSchemas {
            documents.append(
                SCIMSchemaDocument(
                    id: schema, name: "EnterpriseUser", description: "The enterprise extension's attributes Lifeline keeps",
                    attributes: Self.mappedAttributes(map.entries.filter { $0.path.schema == schema }), meta: meta(schema)))
        }
        return documents
    }

    static func userAttributes(map: SCIMAttributeMap) -> [SCIMAttributeDefinition] {
        var attributes = [
            SCIMAttributeDefinition("userName", description: "The identity provider's name for the user; unique, ignoring case")
                .with { $0.required = true; $0.uniqueness = "server" },
            SCIMAttributeDefinition("displayName", description: "The user's name"),
            // Required as Lifeline always holds it; a new user sent without it is active.
            SCIMAttributeDefinition("active", description: "Whether the user is active; an inactive user is sent nothing")
                .with { $0.type = "boolean"; $0.required = true },
            SCIMAttributeDefinition("emails", description: "The primary (else the work) address is the user's email")
                .with {
                    $0.type = "complex"
                    $0.multiValued = true
                    $0.required = true
                    $0.subAttributes = [
                        SCIMAttributeDefinition("value", description: "The address").with { $0.required = true },
                        SCIMAttributeDefinition("type", description: "work").with { $0.canonicalValues = ["work"] },
                        SCIMAttributeDefinition("primary", description: "Whether this is the user's email").with { $0.type = "boolean" },
                    ]
                },
            SCIMAttributeDefinition("groups", description: "The groups the user is in; changed through the groups")
                .with {
                    $0.type = "complex"
                    $0.multiValued = true
                    $0.mutability = "readOnly"
                    $0.subAttributes = [
                        SCIMAttributeDefinition("value", description: "The group's id").with { $0.mutability = "readOnly" },
                        SCIMAttributeDefinition("$ref", description: "The group's URI")
                            .with { $0.type = "reference"; $0.referenceTypes = ["Group"]; $0.mutability = "readOnly" },
                        SCIMAttributeDefinition("display", description: "The group's name").with { $0.mutability = "readOnly" },
                        SCIMAttributeDefinition("type", description: "direct").with { $0.mutability = "readOnly" },
                    ]
                },
        ]
        attributes += mappedAttributes(map.entries.filter { $0.path.schema == nil })
        return attributes
    }

    static let groupAttributes = [
        SCIMAttributeDefinition("displayName", description: "The group's name; unique, ignoring case")
            .with { $0.required = true; $0.uniqueness = "server" },
        SCIMAttributeDefinition("members", description: "The group's users")
            .with {
                $0.type = "complex"
                $0.multiValued = true
                $0.subAttributes = [
                    SCIMAttributeDefinition("value", description: "The user's id").with { $0.mutability = "immutable" },
                    SCIMAttributeDefinition("$ref", description: "The user's URI")
                        .with { $0.type = "reference"; $0.referenceTypes = ["User"]; $0.mutability = "immutable" },
                    SCIMAttributeDefinition("type", description: "User").with { $0.mutability = "immutable"; $0.canonicalValues = ["User"] },
                ]
            },
    ]

    /// The attributes the map fills, merged by name: `phoneNumbers` once, with the types mapped.
    static func mappedAttributes(_ entries: [SCIMAttributeMap.Entry]) -> [SCIMAttributeDefinition] {
        var attributes: [SCIMAttributeDefinition] = []
        for entry in entries {
            guard let name = entry.path.attribute else { continue }
            let index = attributes.firstIndex { ASCIICaseFold.folded($0.name) == ASCIICaseFold.folded(name) }
            var attribute = index.map { attributes[$0] } ?? SCIMAttributeDefinition(name, description: "Kept as the attribute \(entry.attribute)")
            if let sub = entry.path.subAttribute {
                attribute.type = "complex"
                var subAttributes = attribute.subAttributes ?? []
                if !subAttributes.contains(where: { $0.name == sub }) {
                    subAttributes.append(SCIMAttributeDefinition(sub, description: "Kept as the attribute \(entry.attribute)"))
                }
                if let filter = entry.path.filter, case .compare(let filterPath, _, let wanted) = filter,
                    let key = filterPath.attribute, let value = wanted.string
                {
                    attribute.multiValued = true
                    if let keyIndex = subAttributes.firstIndex(where: { $0.name == key }) {
                        subAttributes[keyIndex].canonicalValues = (subAttributes[keyIndex].canonicalValues ?? []) + [value]
                    } else {
                        subAttributes.append(SCIMAttributeDefinition(key, description: "Which one").with { $0.canonicalValues = [value] })
                    }
                }
                attribute.subAttributes = subAttributes
            }
            if let index { attributes[index] = attribute } else { attributes.append(attribute) }
        }
        return attributes
    }
}
