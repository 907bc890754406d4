import LifelineStore

/// Which SCIM attribute fills which of Lifeline's admin-defined attributes: the setting
/// `scim.attributes`, a `;`-separated list of `PATH=ATTRIBUTE`.
///
/// The default puts the mobile number in `mobile` (the usual SMS attribute) and the work
/// number in `work_phone`, and keeps the enterprise extension's department, employee number
/// and manager. Identity fields (userName, externalId, the name, active, the primary email)
/// are the directory's own and cannot be mapped.
public struct SCIMAttributeMap: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let path: SCIMPath
        /// The text the admin wrote for the path, shown back as written.
        public let pathText: String
        public let attribute: String
    }

    public let entries: [Entry]

    public static let key = "scim.attributes"

    public static let defaultText = [
        #"phoneNumbers[type eq "mobile"].value=mobile"#,
        #"phoneNumbers[type eq "work"].value=work_phone"#,
        "title=title",
        "\(SCIMSchema.enterpriseUser):employeeNumber=employee_number",
        "\(SCIMSchema.enterpriseUser):department=department",
        "\(SCIMSchema.enterpriseUser):manager.value=manager",
    ].joined(separator: ";")

    /// The rule, as a refused setting states it.
    public static let rule =
        #"a ';'-separated list of PATH=ATTRIBUTE, each PATH a SCIM attribute (title, phoneNumbers[type eq "mobile"].value, urn:…:enterprise:2.0:User:department) mapped once, and no identity field"#

    /// Attributes that are the directory's own fields, never an admin-defined attribute.
    private static let identityAttributes: Set<String> = [
        "id", "externalid", "username", "displayname", "name", "active", "meta", "schemas", "groups", "password",
    ]

    public init(parsing text: String) throws {
        var entries: [Entry] = []
        for part in text.split(separator: ";") {
            let item = String(part).trimmingBlanks()
            if item.isEmpty { continue }
            guard let equals = item.lastIndex(of: "=") else { throw Self.refusal("'\(item)' has no '=ATTRIBUTE'") }
            let pathText = String(item[..<equals]).trimmingBlanks()
            let attribute = String(item[item.index(after: equals)...]).trimmingBlanks()
            guard !attribute.isEmpty else { throw Self.refusal("'\(item)' names no attribute") }
            let path: SCIMPath
            do {
                path = try SCIMPath(parsing: pathText)
            } catch let failure as SCIMFailure {
                throw Self.refusal(failure.message)
            }
            guard let top = path.attribute else { throw Self.refusal("'\(pathText)' names a whole extension, not an attribute") }
            if path.schema == nil && Self.identityAttributes.contains(ASCIICaseFold.folded(top)) {
                throw Self.refusal("'\(top)' is one of the directory's own fields and cannot be mapped")
            }
            if path.schema == nil && ASCIICaseFold.folded(top) == "emails" && path.filter == nil {
                throw Self.refusal("emails without a type filter is the user's primary email, which cannot be mapped")
            }
            if let filter = path.filter {
                guard case .compare(let filterPath, .eq, .string) = filter, filterPath.subAttribute == nil, path.subAttribute != nil else {
                    throw Self.refusal(#"'\#(pathText)' must filter by one equality and name a sub-attribute, as phoneNumbers[type eq "mobile"].value"#)
                }
            }
            if entries.contains(where: { $0.path == path }) { throw Self.refusal("'\(pathText)' is mapped twice") }
            if entries.contains(where: { NameKey.of($0.attribute) == NameKey.of(attribute) }) {
                throw Self.refusal("the attribute '\(attribute)' is filled by two paths")
            }
            entries.append(Entry(path: path, pathText: pathText, attribute: attribute))
        }
        self.entries = entries
    }

    private static func refusal(_ reason: String) -> SettingsFailure {
        SettingsFailure.refused(key: key, reason: reason)
    }

    /// The map the settings hold now.
    static func current(connection: any SQLConnection) throws -> SCIMAttributeMap {
        let text = try SettingsStore(connection: connection).value(for: key) ?? defaultText
        return try SCIMAttributeMap(parsing: text)
    }

    /// What `document` says for `entry`: whether it mentions the attribute at all, and its
    /// value (nil: none, or sent empty).
    func value(of entry: Entry, in document: SCIMObject) -> (mentioned: Bool, value: String?) {
        let path = entry.path
        guard let attribute = path.attribute else { return (false, nil) }
        let container = path.schema.map { document[$0]?.object } ?? document
        guard let container, let top = container[attribute] else { return (false, nil) }
        let found: SCIMValue?
        if let filter = path.filter {
            let item = top.array?.first { filter.matches($0) }
            found = path.subAttribute.flatMap { item?.object?[$0] }
        } else if let sub = path.subAttribute {
            found = top.object?[sub] ?? top.array?.first?.object?[sub]
        } else {
            found = top
        }
        let text = found?.scalarText?.trimmingBlanks()
        return (true, text?.isEmpty == false ? text : nil)
    }

    /// Writes `value` where `entry` reads it from.
    func set(_ value: String, for entry: Entry, in document: inout SCIMObject) {
        let path = entry.path
        guard let attribute = path.attribute else { return }
        var container = path.schema.map { document[$0]?.object ?? SCIMObject() } ?? document
        if let filter = path.filter, case .compare(let filterPath, _, let wanted) = filter, let key = filterPath.attribute,
            let sub = path.subAttribute
        {
            var items = container[attribute]?.array ?? []
            items.append(.object(SCIMObject([(key, wanted), (sub, .string(value))])))
            container[attribute] = .array(items)
        } else if let sub = path.subAttribute {
            var object = container[attribute]?.object ?? SCIMObject()
            object[sub] = .string(value)
            container[attribute] = .object(object)
        } else {
            container[attribute] = .string(value)
        }
        if let schema = path.schema { document[schema] = .object(container) } else { document = container }
    }

    /// The extension schemas the map reads from.
    var extensionSchemas: [String] {
        SCIMSchema.extensions.filter { schema in entries.contains { $0.path.schema == schema } }
    }
}
