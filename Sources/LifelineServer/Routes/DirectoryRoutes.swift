import FoundationEssentials
import Hummingbird
import LifelineService
import LifelineStore

/// The directory for operators: one user, with attributes, groups, the SMS number's verdict
/// and the authentication profile that applies.
struct DirectoryRoutes {
    let environment: LifelineEnvironment
    let database: DatabaseWork

    func add(to group: RouterGroup<LifelineRequestContext>) {
        let environment = environment
        let database = database
        group.get("users/:email") { _, context in
            let email = try context.parameters.require("email")
            let (detail, profile) = try await database.read {
                (try DirectoryQueries(environment).user(email: email), try ProfileService(environment).effectiveProfile(email: email))
            }
            let attributes = JSONBody.object(detail.attributes.map { ($0.name, .text($0.value)) })
            let groups = "[" + detail.groups.map(JSONString.quoted).joined(separator: ",") + "]"
            let fields: [(String, JSONBody.Value)] = [
                ("email", .text(detail.user.email)), ("name", detail.user.displayName.map(JSONBody.Value.text) ?? .null),
                ("status", .text(detail.user.status.rawValue)), ("auth_profile", .text(profile.name)),
                ("sms_attribute", detail.smsAttribute.map(JSONBody.Value.text) ?? .null),
                ("sms_verdict", detail.smsVerdict.map { .text($0.name) } ?? .null),
                ("sms_number", detail.smsNumber.map(JSONBody.Value.text) ?? .null),
                ("updated_at", .text(UTCTimestamp.string(from: detail.user.updatedAt))),
            ]
            return JSONBody.raw(String(JSONBody.object(fields).dropLast()) + ",\"attributes\":\(attributes),\"groups\":\(groups)}")
        }
    }
}
