/// A SCIM request that cannot be done, in SCIM's words (RFC 7644 §3.12): the HTTP status and,
/// for a 400, the `scimType` that says which kind of bad request it was.
public struct SCIMFailure: LifelineFailure, Equatable {
    /// RFC 7644's `scimType` values.
    public enum SCIMType: String, Sendable {
        case invalidFilter, tooMany, uniqueness, mutability, invalidSyntax, invalidPath, noTarget, invalidValue, invalidVers, sensitive
    }

    public let status: Int
    public let scimType: SCIMType?
    public let message: String

    public init(status: Int, scimType: SCIMType?, _ message: String) {
        self.status = status
        self.scimType = scimType
        self.message = message
    }

    public var kind: FailureKind {
        switch status {
        case 404: .inputMissing
        case 409, 412: .usage
        default: .badInput
        }
    }

    public var remedy: String? { nil }

    static func invalidValue(_ message: String) -> SCIMFailure { SCIMFailure(status: 400, scimType: .invalidValue, message) }
    static func invalidSyntax(_ message: String) -> SCIMFailure { SCIMFailure(status: 400, scimType: .invalidSyntax, message) }
    static func invalidFilter(_ message: String) -> SCIMFailure { SCIMFailure(status: 400, scimType: .invalidFilter, message) }
    static func invalidPath(_ message: String) -> SCIMFailure { SCIMFailure(status: 400, scimType: .invalidPath, message) }
    static func noTarget(_ message: String) -> SCIMFailure { SCIMFailure(status: 400, scimType: .noTarget, message) }
    static func mutability(_ message: String) -> SCIMFailure { SCIMFailure(status: 400, scimType: .mutability, message) }
    static func uniqueness(_ message: String) -> SCIMFailure { SCIMFailure(status: 409, scimType: .uniqueness, message) }
    static func notFound(_ message: String) -> SCIMFailure { SCIMFailure(status: 404, scimType: nil, message) }
    static func versionMismatch(_ message: String) -> SCIMFailure { SCIMFailure(status: 412, scimType: nil, message) }
}
