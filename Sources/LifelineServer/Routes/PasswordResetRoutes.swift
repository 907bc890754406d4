import Hummingbird
import LifelineService
import LifelineStore

/// The portal's password reset: start (the same answer for every email), verify the code,
/// complete with a new password. The portal role, acting for the end user.
struct PasswordResetRoutes {
    let environment: LifelineEnvironment
    let database: DatabaseWork
    let limits: RequestLimits

    struct Start: Decodable {
        let email: String
        let method: MessageChannel?
    }

    struct CodeBody: Decodable {
        let code: String
    }

    struct PasswordBody: Decodable {
        let password: String
    }

    func add(to group: RouterGroup<LifelineRequestContext>) {
        let environment = environment
        let database = database
        let limits = limits
        group.post("password-resets") { request, context in
            let body = try await request.decode(as: Start.self, context: context)
            try limits.admit(email: body.email)
            let requestID = try await database.write {
                try PasswordResetService(environment).start(email: body.email, method: body.method ?? PasswordResetService.defaultMethod)
            }
            ServerMetrics.codeRequested(purpose: VerificationPurpose.passwordReset.rawValue, outcome: "accepted")
            return StatusAnswer(status: .accepted, body: Started(requestID: requestID, message: PasswordResetService.uniformAnswer))
        }
        group.post("password-resets/:id/verify") { request, context in
            let id = try context.parameters.require("id")
            let body = try await request.decode(as: CodeBody.self, context: context)
            let check = try await database.write { try PasswordResetService(environment).verify(requestID: id, code: body.code) }
            ServerMetrics.codeChecked(check)
            return CodeAnswer(check)
        }
        group.post("password-resets/:id/complete") { request, context in
            let id = try context.parameters.require("id")
            let body = try await request.decode(as: PasswordBody.self, context: context)
            try await PasswordResetService(environment).complete(requestID: id, password: body.password, on: database.places)
            return Completed(status: "completed")
        }
    }

    struct Started: ResponseEncodable {
        let requestID: String
        let message: String

        enum CodingKeys: String, CodingKey {
            case message
            case requestID = "request_id"
        }
    }

    struct Completed: ResponseEncodable {
        let status: String
    }
}

extension MessageChannel: Decodable {}
