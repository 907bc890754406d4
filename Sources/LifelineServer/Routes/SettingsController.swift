import Hummingbird
import LifelineService

/// The service's settings for admins: the settings catalogue, the password policy, and the
/// authentication profiles with their group assignments.
struct SettingsController {
    let environment: LifelineEnvironment
    let database: Database

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

    func addRoutes(to group: RouterGroup<LifelineRequestContext>) {
        group.get("settings", use: getSettings)
        group.put("settings/:key", use: putSetting)
        group.delete("settings/:key", use: deleteSetting)
        group.get("password-policy", use: getPasswordPolicy)
        group.put("password-policy", use: putPasswordPolicy)
        group.get("profiles", use: getProfiles)
        group.get("profiles/:name", use: getProfile)
        group.post("profiles", use: postProfiles)
        group.patch("profiles/:name", use: patchProfile)
        group.post("profiles/:name/assignments", use: postProfileAssignments)
    }

    @Sendable func getSettings(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let values = try await database.read { try SettingsService(environment).list() }
        return Items(items: values.map { Setting(key: $0.key, value: $0.value, isDefault: $0.isDefault, summary: $0.summary) })
    }

    @Sendable func putSetting(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let key = try context.parameters.require("key")
        let body = try await request.decode(as: SettingBody.self, context: context)
        let value = try await database.write {
            let service = SettingsService(environment)
            try service.set(key, to: body.value)
            return try service.list().first { $0.key == key }
        }
        return SettingValue(key: key, value: value?.value)
    }

    @Sendable func deleteSetting(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let key = try context.parameters.require("key")
        let value = try await database.write {
            let service = SettingsService(environment)
            try service.unset(key)
            return try service.list().first { $0.key == key }
        }
        return SettingValue(key: key, value: value?.value)
    }

    @Sendable func getPasswordPolicy(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        try await Policy(database.read { try SettingsService(environment).passwordPolicy() }, environment)
    }

    @Sendable func putPasswordPolicy(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let body = try await request.decode(as: PolicyBody.self, context: context)
        guard body.minLength != nil || body.characterClasses != nil else {
            throw Problem(status: .badRequest, code: "usage", detail: "give min_length, character_classes or both")
        }
        return try await Policy(
            database.write {
                let service = SettingsService(environment)
                try service.setPasswordPolicy(minimumLength: body.minLength, characterClasses: body.characterClasses)
                return try service.passwordPolicy()
            }, environment)
    }

    @Sendable func getProfiles(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        Items(items: try await database.read { try ProfileService(environment).list() }.map(Profile.init))
    }

    @Sendable func getProfile(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let name = try context.parameters.require("name")
        return Profile(try await database.read { try ProfileService(environment).show(name: name) })
    }

    @Sendable func postProfiles(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let body = try await request.decode(as: ProfileBody.self, context: context)
        guard let name = body.name, let resetOptions = body.resetOptions, let twoStep = body.twoStep else {
            throw Problem(status: .badRequest, code: "usage", detail: "a new profile needs name, reset_options and two_step")
        }
        let profile = try await database.write {
            let service = ProfileService(environment)
            try service.create(name: name, resetOptions: resetOptions, twoStep: twoStep)
            return try service.show(name: name)
        }
        return StatusAnswer(status: .created, body: Profile(profile))
    }

    @Sendable func patchProfile(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let name = try context.parameters.require("name")
        let body = try await request.decode(as: ProfileBody.self, context: context)
        let profile = try await database.write {
            let service = ProfileService(environment)
            try service.update(name: name, resetOptions: body.resetOptions, twoStep: body.twoStep)
            return try service.show(name: name)
        }
        return Profile(profile)
    }

    @Sendable func postProfileAssignments(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let name = try context.parameters.require("name")
        let body = try await request.decode(as: AssignmentBody.self, context: context)
        let profile = try await database.write {
            let service = ProfileService(environment)
            try service.assign(name: name, group: body.group, priority: body.priority)
            return try service.show(name: name)
        }
        return Profile(profile)
    }

    struct Setting: Encodable, Sendable {
        let key: String
        @Nullable var value: String?
        let isDefault: Bool
        let summary: String

        enum CodingKeys: String, CodingKey {
            case key, value, summary
            case isDefault = "is_default"
        }
    }

    struct SettingValue: ResponseEncodable {
        let key: String
        @Nullable var value: String?
    }

    struct Policy: ResponseEncodable {
        let minLength: Int
        let maxLength: Int
        let characterClasses: Int
        let refusesEmailName: Bool
        let commonPasswordsRefused: Int

        init(_ policy: PasswordPolicy, _ environment: LifelineEnvironment) {
            minLength = policy.minimumLength
            maxLength = PasswordPolicy.maximumLength
            characterClasses = policy.characterClasses
            refusesEmailName = true
            commonPasswordsRefused = SettingsService(environment).commonPasswordCount
        }

        enum CodingKeys: String, CodingKey {
            case minLength = "min_length"
            case maxLength = "max_length"
            case characterClasses = "character_classes"
            case refusesEmailName = "refuses_email_name"
            case commonPasswordsRefused = "common_passwords_refused"
        }
    }

    struct Profile: ResponseEncodable {
        struct Assignment: Encodable, Sendable {
            let group: String
            let priority: Int
        }

        let name: String
        let resetOptions: String
        let twoStep: String
        let assignments: [Assignment]

        init(_ profile: AuthProfile) {
            name = profile.name
            resetOptions = profile.resetOptions.rawValue
            twoStep = profile.twoStep.rawValue
            assignments = profile.assignments.map { Assignment(group: $0.groupName, priority: $0.priority) }
        }

        enum CodingKeys: String, CodingKey {
            case name, assignments
            case resetOptions = "reset_options"
            case twoStep = "two_step"
        }
    }
}

extension ResetOptions: Decodable {}
extension TwoStep: Decodable {}
