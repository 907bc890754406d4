import FoundationEssentials
import Hummingbird
import LifelineService

/// The directory for operators: one user, with attributes, groups, the SMS number's verdict
/// and the authentication profile that applies.
struct DirectoryController {
    let environment: LifelineEnvironment
    let database: Database

    func addRoutes(to group: RouterGroup<LifelineRequestContext>) {
        group.get("users/:email", use: getUser)
    }

    @Sendable func getUser(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let email = try context.parameters.require("email")
        let (detail, profile) = try await database.read {
            (try DirectoryQueries(environment).user(email: email), try ProfileService(environment).effectiveProfile(email: email))
        }
        return User(
            email: detail.user.email, name: detail.user.displayName, status: detail.user.status.rawValue,
            authProfile: profile.name, smsAttribute: detail.smsAttribute, smsVerdict: detail.smsVerdict?.name,
            smsNumber: detail.smsNumber, updatedAt: APITime(detail.user.updatedAt),
            attributes: Dictionary(detail.attributes.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }),
            groups: detail.groups)
    }

    /// One user as operators see them.
    struct User: ResponseEncodable {
        let email: String
        @Nullable var name: String?
        let status: String
        let authProfile: String
        @Nullable var smsAttribute: String?
        @Nullable var smsVerdict: String?
        @Nullable var smsNumber: String?
        let updatedAt: APITime
        /// Attribute values by the attribute's name.
        let attributes: [String: String]
        let groups: [String]

        enum CodingKeys: String, CodingKey {
            case email, name, status, attributes, groups
            case authProfile = "auth_profile"
            case smsAttribute = "sms_attribute"
            case smsVerdict = "sms_verdict"
            case smsNumber = "sms_number"
            case updatedAt = "updated_at"
        }
    }
}
