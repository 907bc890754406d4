import LifelineStore

/// One PATCH operation (RFC 7644 §3.5.2), read tolerantly: Entra ID capitalises the op
/// (`"Replace"`), Okta sends no path and an object of attributes.
public struct SCIMPatchOperation: Sendable, Equatable {
    public enum Op: String, Sendable {
        case add, replace, remove
    }

    public let op: Op
    public let path: SCIMPath?
    public let value: SCIMValue?

    public init(op: Op, path: SCIMPath?, value: SCIMValue?) {
        self.op = op
        self.path = path
        self.value = value
    }

    /// The operations of a PatchOp request body; each problem is named with the operation's place.
    public static func operations(in body: SCIMValue) throws -> [SCIMPatchOperation] {
        guard let request = body.object else { throw SCIMFailure.invalidSyntax("a PATCH body must be a JSON object") }
        let schemas = request["schemas"]?.array?.compactMap(\.string) ?? []
        guard schemas.contains(where: { ASCIICaseFold.folded($0) == ASCIICaseFold.folded(SCIMSchema.patchOp) }) else {
            throw SCIMFailure.invalidSyntax("a PATCH body's schemas must name \(SCIMSchema.patchOp)")
        }
        guard let items = request["Operations"]?.array else { throw SCIMFailure.invalidSyntax("a PATCH body needs an Operations array") }
        return try items.enumerated().map { index, item in
            let place = "Operations[\(index)]"
            guard let object = item.object else { throw SCIMFailure.invalidSyntax("\(place) is not an object") }
            guard let word = object["op"]?.string, let op = Op(rawValue: ASCIICaseFold.folded(word)) else {
                throw SCIMFailure.invalidSyntax("\(place).op must be add, replace or remove")
            }
            let path: SCIMPath?
            if let text = object["path"]?.string, !text.trimmingBlanks().isEmpty {
                path = try SCIMPath(parsing: text)
            } else {
                path = nil
            }
            let value = object["value"]
            if op != .remove && value == nil { throw SCIMFailure.invalidValue("\(place) (\(op.rawValue)) has no value") }
            if op == .remove && path == nil { throw SCIMFailure.noTarget("\(place) (remove) has no path") }
            if path == nil && value?.object == nil {
                throw SCIMFailure.invalidValue("\(place) has no path, so its value must be an object of attributes")
            }
            return SCIMPatchOperation(op: op, path: path, value: value)
        }
    }

    /// Applies the operation to a resource's document.
    public func apply(to document: inout SCIMObject) throws {
        guard let path else {
            // No path: each member of the value is an attribute (or an extension's object of
            // attributes, or a dotted or URN-qualified path, as Entra sends).
            for member in value?.object?.members ?? [] {
                let memberPath = try SCIMPath(parsing: member.name)
                if memberPath.attribute == nil, let inner = member.value.object {
                    for extensionMember in inner.members {
                        var attributePath = try SCIMPath(parsing: extensionMember.name)
                        attributePath.schema = memberPath.schema
                        try SCIMPatchOperation(op: op, path: attributePath, value: extensionMember.value).apply(to: &document)
                    }
                } else {
                    try SCIMPatchOperation(op: op, path: memberPath, value: member.value).apply(to: &document)
                }
            }
            return
        }
        guard let attribute = path.attribute else {
            // The whole extension: its attributes one by one, or all removed.
            guard let schema = path.schema else { return }
            if op == .remove {
                document[schema] = nil
                return
            }
            for member in value?.object?.members ?? [] {
                let inner = SCIMPath(schema: schema, attribute: member.name)
                try SCIMPatchOperation(op: op, path: inner, value: member.value).apply(to: &document)
            }
            return
        }
        if let schema = path.schema {
            var container = document[schema]?.object ?? SCIMObject()
            try apply(attribute: attribute, path: path, to: &container)
            document[schema] = container.members.isEmpty ? nil : .object(container)
        } else {
            try apply(attribute: attribute, path: path, to: &document)
        }
    }

    private func apply(attribute: String, path: SCIMPath, to container: inout SCIMObject) throws {
        let current = container[attribute]
        if let filter = path.filter {
            container[attribute] = try applyFiltered(filter, sub: path.subAttribute, to: current?.array ?? [], attribute: attribute)
            if container[attribute]?.isEmpty == true { container[attribute] = nil }
            return
        }
        if let sub = path.subAttribute {
            if var items = current?.array {
                // `emails.value` on a multi-valued attribute means every value's.
                for index in items.indices {
                    var item = items[index].object ?? SCIMObject()
                    item[sub] = op == .remove ? nil : value
                    items[index] = .object(item)
                }
                container[attribute] = .array(items)
            } else {
                var object = current?.object ?? SCIMObject()
                object[sub] = op == .remove ? nil : value
                container[attribute] = object.members.isEmpty ? nil : .object(object)
            }
            return
        }
        switch op {
        case .remove:
            if let removed = value?.array, let items = current?.array {
                // Entra's way to remove group members: the values to remove, by their `value`.
                let remaining = items.filter { item in !removed.contains { Self.sameValue($0, item) } }
                container[attribute] = remaining.isEmpty ? nil : .array(remaining)
            } else {
                container[attribute] = nil
            }
        case .add:
            if let items = current?.array, let added = value.map({ $0.array ?? [$0] }) {
                var merged = items
                for item in added where !merged.contains(where: { Self.sameValue($0, item) }) { merged.append(item) }
                container[attribute] = .array(merged)
            } else if var object = current?.object, let added = value?.object {
                for member in added.members { object[member.name] = member.value }
                container[attribute] = .object(object)
            } else {
                container[attribute] = value
            }
        case .replace:
            container[attribute] = value
        }
        if container[attribute] == .null { container[attribute] = nil }
    }

    /// The values of a multi-valued attribute after the operation on those `filter` selects.
    private func applyFiltered(_ filter: SCIMFilter, sub: String?, to items: [SCIMValue], attribute: String) throws -> SCIMValue {
        var items = items
        let matching = items.indices.filter { filter.matches(items[$0]) }
        switch op {
        case .remove:
            if let sub {
                for index in matching {
                    var item = items[index].object ?? SCIMObject()
                    item[sub] = nil
                    items[index] = .object(item)
                }
            } else {
                items = items.enumerated().filter { !matching.contains($0.offset) }.map(\.element)
            }
        case .add, .replace:
            guard let value else { return .array(items) }
            if matching.isEmpty {
                // Entra ID sets `phoneNumbers[type eq "mobile"].value` on a user with no mobile
                // number: the value the filter describes is created.
                guard case .compare(let filterPath, .eq, let wanted) = filter, let key = filterPath.attribute, filterPath.subAttribute == nil else {
                    throw SCIMFailure.noTarget("no value of '\(attribute)' matches the path's filter")
                }
                var item = SCIMObject([(key, wanted)])
                if let sub {
                    item[sub] = value
                } else if let object = value.object {
                    for member in object.members { item[member.name] = member.value }
                }
                items.append(.object(item))
            }
            for index in matching {
                var item = items[index].object ?? SCIMObject()
                if let sub {
                    item[sub] = value
                } else if let object = value.object {
                    for member in object.members { item[member.name] = member.value }
                } else {
                    throw SCIMFailure.invalidValue("a value of '\(attribute)' can only be replaced by an object")
                }
                items[index] = .object(item)
            }
        }
        return .array(items)
    }

    /// Whether two values of a multi-valued attribute are the same one: by their `value`
    /// member when they have one (group members, emails), else whole.
    private static func sameValue(_ left: SCIMValue, _ right: SCIMValue) -> Bool {
        if let leftValue = left.object?["value"], let rightValue = right.object?["value"] {
            return leftValue.scalarText == rightValue.scalarText
        }
        return left == right
    }
}
