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
            return JSONBody.response(
                ["request_id": .text(requestID), "message": .text(PasswordResetService.uniformAnswer)], status: .accepted)
        }
        group.post("password-resets/:id/verify") { request, context in
            let id = try context.parameters.require("id")
            let body = try await request.decode(as: CodeBody.self, context: context)
            let check = try await database.write { try PasswordResetService(environment).verify(requestID: id, code: body.code) }
            ServerMetrics.codeChecked(check)
            return JSONBody.response(VerificationAnswer.fields(check))
        }
        group.post("password-resets/:id/complete") { request, context in
            let id = try context.parameters.require("id")
            let body = try await request.decode(as: PasswordBody.self, context: context)
            try await PasswordResetService(environment).complete(requestID: id, password: body.password, on: database.places)
            return JSONBody.response(["status": .text("completed")])
        }
    }
}

extension MessageChannel: Decodable {}
