import Hummingbird
import LifelineService
import LifelineStore

/// The service's settings for admins: the settings catalogue, the password policy, and the
/// authentication profiles with their group assignments.
struct SettingsRoutes {
    let environment: LifelineEnvironment
    let database: DatabaseWork

    struct SettingBody: Decodable {
        let value: String
    }

    struct PolicyBody: Decodable {
        let minLength: Int?
        let characterClasses: Int?
        enum CodingKeys: String, CodingKey {
            case minLength = "min_length"
            case characterClasses = "character_classes"
        }
    }

    struct ProfileBody: Decodable {
        let name: String?
        let resetOptions: ResetOptions?
        let twoStep: TwoStep?
        enum CodingKeys: String, CodingKey {
            case name
            case resetOptions = "reset_options"
            case twoStep = "two_step"
        }
    }

    struct AssignmentBody: Decodable {
        let group: String
        let priority: Int
    }

    func add(to group: RouterGroup<LifelineRequestContext>) {
        let environment = environment
        let database = database
        group.get("settings") { _, _ in
            let values = try await database.read { try SettingsService(environment).list() }
            let items = values.map {
                JSONBody.object([
                    ("key", .text($0.key)), ("value", $0.value.map(JSONBody.Value.text) ?? .null),
                    ("is_default", .boolean($0.isDefault)), ("summary", .text($0.summary)),
                ])
            }
            return JSONBody.raw("{\"items\":[" + items.joined(separator: ",") + "]}")
        }
        group.put("settings/:key") { request, context in
            let key = try context.parameters.require("key")
            let body = try await request.decode(as: SettingBody.self, context: context)
            let value = try await database.write {
                let service = SettingsService(environment)
                try service.set(key, to: body.value)
                return try service.list().first { $0.key == key }
            }
            return JSONBody.response([("key", .text(key)), ("value", value?.value.map(JSONBody.Value.text) ?? .null)])
        }
        group.delete("settings/:key") { _, context in
            let key = try context.parameters.require("key")
            let value = try await database.write {
                let service = SettingsService(environment)
                try service.unset(key)
                return try service.list().first { $0.key == key }
            }
            return JSONBody.response([("key", .text(key)), ("value", value?.value.map(JSONBody.Value.text) ?? .null)])
        }
        group.get("password-policy") { _, _ in
            try await Self.policy(database.read { try SettingsService(environment).passwordPolicy() }, environment)
        }
        group.put("password-policy") { request, context in
            let body = try await request.decode(as: PolicyBody.self, context: context)
            guard body.minLength != nil || body.characterClasses != nil else {
                throw Problem(status: .badRequest, code: "usage", detail: "give min_length, character_classes or both")
            }
            return try await Self.policy(
                database.write {
                    let service = SettingsService(environment)
                    try service.setPasswordPolicy(minimumLength: body.minLength, characterClasses: body.characterClasses)
                    return try service.passwordPolicy()
                }, environment)
        }
        group.get("profiles") { _, _ in
            let profiles = try await database.read { try ProfileService(environment).list() }
            return JSONBody.raw("{\"items\":[" + profiles.map(Self.object).joined(separator: ",") + "]}")
        }
        group.get("profiles/:name") { _, context in
            let name = try context.parameters.require("name")
            return try await JSONBody.raw(Self.object(database.read { try ProfileService(environment).show(name: name) }))
        }
        group.post("profiles") { request, context in
            let body = try await request.decode(as: ProfileBody.self, context: context)
            guard let name = body.name, let resetOptions = body.resetOptions, let twoStep = body.twoStep else {
                throw Problem(status: .badRequest, code: "usage", detail: "a new profile needs name, reset_options and two_step")
            }
            let profile = try await database.write {
                let service = ProfileService(environment)
                try service.create(name: name, resetOptions: resetOptions, twoStep: twoStep)
                return try service.show(name: name)
            }
            return JSONBody.raw(Self.object(profile), status: .created)
        }
        group.patch("profiles/:name") { request, context in
            let name = try context.parameters.require("name")
            let body = try await request.decode(as: ProfileBody.self, context: context)
            let profile = try await database.write {
                let service = ProfileService(environment)
                try service.update(name: name, resetOptions: body.resetOptions, twoStep: body.twoStep)
                return try service.show(name: name)
            }
            return JSONBody.raw(Self.object(profile))
        }
        group.post("profiles/:name/assignments") { request, context in
            let name = try context.parameters.require("name")
            let body = try await request.decode(as: AssignmentBody.self, context: context)
            let profile = try await database.write {
                let service = ProfileService(environment)
                try service.assign(name: name, group: body.group, priority: body.priority)
                return try service.show(name: name)
            }
            return JSONBody.raw(Self.object(profile))
        }
    }

    static func policy(_ policy: PasswordPolicy, _ environment: LifelineEnvironment) -> Response {
        JSONBody.response([
            ("min_length", .integer(policy.minimumLength)), ("max_length", .integer(PasswordPolicy.maximumLength)),
            ("character_classes", .integer(policy.characterClasses)), ("refuses_email_name", .boolean(true)),
            ("common_passwords_refused", .integer(SettingsService(environment).commonPasswordCount)),
        ])
    }

    static func object(_ profile: AuthProfile) -> String {
        let assignments = profile.assignments.map {
            JSONBody.object([("group", .text($0.groupName)), ("priority", .integer($0.priority))])
        }
        return JSONBody.object([
            ("name", .text(profile.name)), ("reset_options", .text(profile.resetOptions.rawValue)),
            ("two_step", .text(profile.twoStep.rawValue)), ("assignments", .array(assignments)),
        ])
    }
}

extension ResetOptions: Decodable {}
extension TwoStep: Decodable {}
