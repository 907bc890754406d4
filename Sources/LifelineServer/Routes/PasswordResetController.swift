import Hummingbird
import LifelineService

/// The portal's password reset: start (the same answer for every email), verify the code,
/// complete with a new password. The portal role, acting for the end user.
struct PasswordResetController {
    let environment: LifelineEnvironment
    let database: Database
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

    func addRoutes(to group: RouterGroup<LifelineRequestContext>) {
        group.post("password-resets", use: postPasswordResets)
        group.post("password-resets/:id/verify", use: postPasswordResetVerify)
        group.post("password-resets/:id/complete", use: postPasswordResetComplete)
    }

    @Sendable func postPasswordResets(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let body = try await request.decode(as: Start.self, context: context)
        try limits.admit(email: body.email)
        let requestID = try await database.write {
            try PasswordResetService(environment).start(email: body.email, method: body.method ?? PasswordResetService.defaultMethod)
        }
        ServerMetrics.codeRequested(purpose: VerificationPurpose.passwordReset.rawValue, outcome: "accepted")
        return StatusAnswer(status: .accepted, body: Started(requestID: requestID, message: PasswordResetService.uniformAnswer))
    }

    @Sendable func postPasswordResetVerify(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let id = try context.parameters.require("id")
        let body = try await request.decode(as: CodeBody.self, context: context)
        let check = try await database.write { try PasswordResetService(environment).verify(requestID: id, code: body.code) }
        ServerMetrics.codeChecked(check)
        return CodeAnswer(check)
    }

    @Sendable func postPasswordResetComplete(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let id = try context.parameters.require("id")
        let body = try await request.decode(as: PasswordBody.self, context: context)
        try await PasswordResetService(environment).complete(requestID: id, password: body.password, on: database.places)
        return Completed(status: "completed")
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
