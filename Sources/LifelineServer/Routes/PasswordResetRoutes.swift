import Hummingbird
import LifelineService
import LifelineStore

/// The portal's password reset: start (the same answer for every email), verify the code,
/// complete with a new password. The portal role, acting for the end user.
struct PasswordResetRoutes {
    let environment: LifelineEnvironment
    let database: DatabaseWork

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
        group.post("password-resets") { request, context in
            let body = try await request.decode(as: Start.self, context: context)
            let requestID = try await database.write {
                try PasswordResetService(environment).start(email: body.email, method: body.method ?? .sms)
            }
            return JSONBody.response(
                ["request_id": .text(requestID), "message": .text(PasswordResetService.uniformAnswer)], status: .accepted)
        }
        group.post("password-resets/:id/verify") { request, context in
            let id = try context.parameters.require("id")
            let body = try await request.decode(as: CodeBody.self, context: context)
            let check = try await database.write { try PasswordResetService(environment).verify(requestID: id, code: body.code) }
            return JSONBody.response(VerificationAnswer.fields(check))
        }
        group.post("password-resets/:id/complete") { request, context in
            let id = try context.parameters.require("id")
            let body = try await request.decode(as: PasswordBody.self, context: context)
            try await database.write { try PasswordResetService(environment).complete(requestID: id, password: body.password) }
            return JSONBody.response(["status": .text("completed")])
        }
    }
}

/// A verification's answer as JSON: `status` (the CLI's word), and `attempts_left` after a wrong code.
enum VerificationAnswer {
    static func fields(_ check: VerificationCheck) -> [(String, JSONBody.Value)] {
        var fields: [(String, JSONBody.Value)] = [("status", .text(check.name))]
        if case .incorrect(let left) = check { fields.append(("attempts_left", .integer(left))) }
        return fields
    }
}

/// Small JSON bodies written by hand, keys in the order given.
enum JSONBody {
    enum Value: Sendable {
        case text(String)
        case integer(Int)
        case null
    }

    static func response(_ fields: KeyValuePairs<String, Value>, status: HTTPResponse.Status = .ok) -> Response {
        response(fields.map { ($0.key, $0.value) }, status: status)
    }

    static func response(_ fields: [(String, Value)], status: HTTPResponse.Status = .ok) -> Response {
        raw(object(fields), status: status)
    }

    /// A JSON object's text.
    static func object(_ fields: [(String, Value)]) -> String {
        "{" + fields.map { key, value in
            let rendered: String =
                switch value {
                case .text(let text): JSONString.quoted(text)
                case .integer(let number): String(number)
                case .null: "null"
                }
            return JSONString.quoted(key) + ":" + rendered
        }.joined(separator: ",") + "}"
    }

    static func raw(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension MessageChannel: Decodable {}
