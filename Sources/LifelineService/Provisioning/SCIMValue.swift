import FoundationEssentials
import LifelineStore

/// A SCIM resource's JSON, as a value.
///
/// SCIM resources are not fixed structs: attribute names compare ignoring case (RFC 7643 §2.1),
/// PATCH addresses them by paths and filters, `attributes=` trims what is returned, and the
/// attributes a server keeps come from a setting. So resources are read into this value, read
/// and changed by path, and written back; the protocol's fixed documents (errors, list answers,
/// the service provider's configuration) are Codable structs.
public enum SCIMValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([SCIMValue])
    case object(SCIMObject)

    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var object: SCIMObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    public var array: [SCIMValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// A boolean, read tolerantly: Entra ID sends `"True"` and `"False"` as strings.
    public var tolerantBool: Bool? {
        switch self {
        case .bool(let value): return value
        case .string(let text):
            switch ASCIICaseFold.folded(text.trimmingBlanks()) {
            case "true": return true
            case "false": return false
            default: return nil
            }
        default: return nil
        }
    }

    /// A scalar as the text an attribute holds: strings as they are, numbers and booleans
    /// spelled out; nil for null, arrays and objects.
    public var scalarText: String? {
        switch self {
        case .string(let text): text
        case .integer(let value): String(value)
        case .number(let value): value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .bool(let value): value ? "true" : "false"
        case .null, .array, .object: nil
        }
    }

    /// Whether the value says nothing: null, an empty string, array or object.
    public var isEmpty: Bool {
        switch self {
        case .null: true
        case .string(let text): text.isEmpty
        case .array(let items): items.isEmpty
        case .object(let object): object.members.isEmpty
        default: false
        }
    }
}

/// A JSON object whose member names compare ignoring case, in the order they were set.
public struct SCIMObject: Sendable, Equatable {
    public private(set) var members: [(name: String, value: SCIMValue)] = []

    public init(_ members: [(String, SCIMValue)] = []) {
        for (name, value) in members { self[name] = value }
    }

    private func index(of name: String) -> Int? {
        let key = ASCIICaseFold.folded(name)
        return members.firstIndex { ASCIICaseFold.folded($0.name) == key }
    }

    /// The member named `name` (ignoring case); setting nil removes it.
    public subscript(name: String) -> SCIMValue? {
        get { index(of: name).map { members[$0].value } }
        set {
            switch (index(of: name), newValue) {
            case (let found?, let value?): members[found].value = value
            case (let found?, nil): members.remove(at: found)
            case (nil, let value?): members.append((name, value))
            case (nil, nil): break
            }
        }
    }

    public func has(_ name: String) -> Bool { index(of: name) != nil }

    public static func == (left: SCIMObject, right: SCIMObject) -> Bool {
        left.members.count == right.members.count
            && left.members.allSatisfy { member in right[member.name] == member.value }
    }
}

extension SCIMValue: Codable {
    public init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: NamedKey.self) {
            var object = SCIMObject()
            for key in keyed.allKeys {
                // A repeated name (ignoring case) is refused rather than one silently winning.
                if object.has(key.stringValue) {
                    throw DecodingError.dataCorruptedError(
                        forKey: key, in: keyed, debugDescription: "the attribute '\(key.stringValue)' appears twice")
                }
                object[key.stringValue] = try keyed.decode(SCIMValue.self, forKey: key)
            }
            self = .object(object)
            return
        }
        if var unkeyed = try? decoder.unkeyedContainer() {
            var items: [SCIMValue] = []
            while !unkeyed.isAtEnd { items.append(try unkeyed.decode(SCIMValue.self)) }
            self = .array(items)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let value = try? single.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? single.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? single.decode(Double.self) {
            self = .number(value)
        } else {
            self = .string(try single.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .integer(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .number(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .string(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .array(let items):
            var unkeyed = encoder.unkeyedContainer()
            for item in items { try unkeyed.encode(item) }
        case .object(let object):
            var keyed = encoder.container(keyedBy: NamedKey.self)
            for member in object.members { try keyed.encode(member.value, forKey: NamedKey(member.name)) }
        }
    }
}
