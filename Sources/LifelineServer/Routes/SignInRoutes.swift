import FoundationEssentials
import Hummingbird
import LifelineService
import LifelineStore

/// The portal's sign-in (password, then the SMS code when the profile asks for 2-step) and
/// its one-time codes. Answers carry the CLI's words in `status`.
struct SignInRoutes {
    let environment: LifelineEnvironment
    let database: DatabaseWork
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

    func add(to group: RouterGroup<LifelineRequestContext>) {
        let environment = environment
        let database = database
        let limits = limits
        group.post("logins") { request, context in
            let body = try await request.decode(as: Credentials.self, context: context)
            try limits.admit(email: body.email)
            let outcome = try await LoginService(environment).check(email: body.email, password: body.password, on: database.places)
            switch outcome {
            case .authenticated: return JSONBody.response(["status": .text("authenticated")])
            case .invalidCredentials: return JSONBody.response(["status": .text("invalid-credentials")])
            case .secondFactorRequired(let requestID, let newNumber):
                ServerMetrics.codeRequested(purpose: VerificationPurpose.twoStep.rawValue, outcome: "sent")
                return JSONBody.response([
                    "status": .text(newNumber ? "number-verification-required" : "second-factor-required"),
                    "request_id": .text(requestID),
                ])
            case .secondFactorUnavailable(let reason, let retryAfter):
                var fields: [(String, JSONBody.Value)] = [("status", .text("second-factor-unavailable")), ("reason", .text(reason))]
                if let retryAfter { fields.append(("retry_after", .text(UTCTimestamp.string(from: retryAfter)))) }
                return JSONBody.response(fields)
            }
        }
        group.post("logins/:id/verify") { request, context in
            let id = try context.parameters.require("id")
            let body = try await request.decode(as: CodeBody.self, context: context)
            let verification = try await database.write { try LoginService(environment).verify(requestID: id, code: body.code) }
            ServerMetrics.codeChecked(verification.check)
            var fields = VerificationAnswer.fields(verification.check)
            if verification.check == .approved { fields[0] = ("status", .text("authenticated")) }
            return JSONBody.response(fields)
        }
        group.post("verifications") { request, context in
            let body = try await request.decode(as: CodeRequestBody.self, context: context)
            try limits.admit(email: body.email)
            let outcome = try await database.write {
                try VerificationService(environment).request(email: body.email, purpose: body.purpose, requestID: body.requestID)
            }
            ServerMetrics.codeRequested(purpose: body.purpose.rawValue, outcome: outcome.isRepeat ? "repeat" : outcome.status.rawValue)
            var fields: [(String, JSONBody.Value)] = [
                ("request_id", .text(outcome.requestID)), ("status", .text(outcome.status.rawValue)),
            ]
            if let retryAfter = outcome.retryAfter { fields.append(("retry_after", .text(UTCTimestamp.string(from: retryAfter)))) }
            return JSONBody.response(fields, status: outcome.isRepeat ? .ok : .created)
        }
        group.post("verifications/:id/check") { request, context in
            let id = try context.parameters.require("id")
            let body = try await request.decode(as: CodeBody.self, context: context)
            let check = try await database.write { try VerificationService(environment).verify(requestID: id, code: body.code) }
            ServerMetrics.codeChecked(check)
            return JSONBody.response(VerificationAnswer.fields(check))
        }
    }
}

extension VerificationPurpose: Decodable {}
