import FoundationEssentials
import Hummingbird
import LifelineService

/// The portal's sign-in (password, then the SMS code when the profile asks for 2-step) and
/// its one-time codes. Answers carry the CLI's words in `status`.
struct SignInController {
    let environment: LifelineEnvironment
    let database: Database
    let limits: RequestLimits

    struct Credentials: Decodable {
        let email: String
        let password: String
    }

    struct CodeRequestBody: Decodable {
        let email: String
        let purpose: VerificationPurpose
        let requestID: String?

        enum CodingKeys: String, CodingKey {
            case email, purpose
            case requestID = "request_id"
        }
    }

    struct CodeBody: Decodable {
        let code: String
    }

    func addRoutes(to group: RouterGroup<LifelineRequestContext>) {
        group.post("logins", use: postLogins)
        group.post("logins/:id/verify", use: postLoginVerify)
        group.post("verifications", use: postVerifications)
        group.post("verifications/:id/check", use: postVerificationCheck)
    }

    @Sendable func postLogins(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let body = try await request.decode(as: Credentials.self, context: context)
        try limits.admit(email: body.email)
        let outcome = try await LoginService(environment).check(email: body.email, password: body.password, on: database.places)
        if case .secondFactorRequired = outcome {
            ServerMetrics.codeRequested(purpose: VerificationPurpose.twoStep.rawValue, outcome: "sent")
        }
        return LoginAnswer(outcome)
    }

    @Sendable func postLoginVerify(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let id = try context.parameters.require("id")
        let body = try await request.decode(as: CodeBody.self, context: context)
        let verification = try await database.write { try LoginService(environment).verify(requestID: id, code: body.code) }
        ServerMetrics.codeChecked(verification.check)
        return CodeAnswer(verification.check, approvedWord: LoginOutcome.authenticatedWord)
    }

    @Sendable func postVerifications(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let body = try await request.decode(as: CodeRequestBody.self, context: context)
        try limits.admit(email: body.email)
        let outcome = try await database.write {
            try VerificationService(environment).request(email: body.email, purpose: body.purpose, requestID: body.requestID)
        }
        ServerMetrics.codeRequested(purpose: body.purpose.rawValue, outcome: outcome.isRepeat ? "repeat" : outcome.status.rawValue)
        return StatusAnswer(
            status: outcome.isRepeat ? .ok : .created,
            body: CodeRequested(requestID: outcome.requestID, status: outcome.status.rawValue, retryAfter: outcome.retryAfter.map(APITime.init)))
    }

    @Sendable func postVerificationCheck(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let id = try context.parameters.require("id")
        let body = try await request.decode(as: CodeBody.self, context: context)
        let check = try await database.write { try VerificationService(environment).verify(requestID: id, code: body.code) }
        ServerMetrics.codeChecked(check)
        return CodeAnswer(check)
    }

    /// A sign-in's answer: the outcome's word, and what comes with it.
    struct LoginAnswer: ResponseEncodable {
        let status: String
        let requestID: String?
        let reason: String?
        let retryAfter: APITime?

        init(_ outcome: LoginOutcome) {
            status = outcome.word
            switch outcome {
            case .secondFactorRequired(let requestID, _): (self.requestID, reason, retryAfter) = (requestID, nil, nil)
            case .secondFactorUnavailable(let why, let after): (requestID, reason, retryAfter) = (nil, why, after.map(APITime.init))
            case .authenticated, .invalidCredentials: (requestID, reason, retryAfter) = (nil, nil, nil)
            }
        }

        enum CodingKeys: String, CodingKey {
            case status, reason
            case requestID = "request_id"
            case retryAfter = "retry_after"
        }
    }

    struct CodeRequested: ResponseEncodable {
        let requestID: String
        let status: String
        let retryAfter: APITime?

        enum CodingKeys: String, CodingKey {
            case status
            case requestID = "request_id"
            case retryAfter = "retry_after"
        }
    }
}

extension VerificationPurpose: Decodable {}
