/// A JSON member name known only at run time: counts named by the service, a user's
/// attributes as the admin named them, a SCIM document's members as the provider sent them.
public struct NamedKey: CodingKey, Sendable {
    public let stringValue: String
    public var intValue: Int? { nil }

    public init(_ name: String) {
        stringValue = name
    }

    public init(stringValue: String) {
        self.stringValue = stringValue
    }

    public init?(intValue: Int) { nil }
}
