import FoundationEssentials
import Hummingbird
import LifelineService

/// An RFC 9457 problem: `type`, `title`, `status`, `detail`, and Lifeline's `code`, the same
/// words the CLI prints, as `application/problem+json`.
public struct Problem: Error, Sendable, Equatable {
    public let status: HTTPResponse.Status
    public let code: String
    public let detail: String
    /// Seconds to wait before trying again, for 429 and 503.
    public var retryAfter: Int?
    /// RFC 9457 extension members (an import's counts and rejections).
    var members: [(String, JSONBody.Value)] = []
    /// More headers, such as the rate-limit ones on a 429.
    var headers: HTTPFields = [:]

    public init(status: HTTPResponse.Status, code: String, detail: String, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.detail = detail
        self.retryAfter = retryAfter
    }

    public static func == (left: Problem, right: Problem) -> Bool {
        left.status == right.status && left.code == right.code && left.detail == right.detail
            && left.retryAfter == right.retryAfter
    }

    /// The problem a service failure is, with the status its kind maps to.
    public init(_ failure: any LifelineFailure) {
        let (status, code): (HTTPResponse.Status, String) =
            switch failure.kind {
            case .usage: (.badRequest, "usage")
            case .badInput: (.unprocessableContent, "bad_input")
            case .inputMissing: (.notFound, "not_found")
            case .gatewayUnavailable: (.badGateway, "gateway_unavailable")
            case .busy: (.serviceUnavailable, "busy")
            case .configuration: (.internalServerError, "configuration")
            case .internal: (.internalServerError, "internal")
            }
        // No SMS attribute chosen is the directory's state, which an admin sets up (409), not
        // the server's misconfiguration (500).
        let isSetUpLater = (failure as? DirectoryFailure) == .noSMSAttribute
        self.init(
            status: isSetUpLater ? .conflict : status, code: code,
            // The message alone: remedies are written for the terminal (a command, an option).
            detail: failure.message,
            retryAfter: failure.kind == .busy ? 1 : nil)
    }

    public static func unauthorized(_ detail: String) -> Problem { Problem(status: .unauthorized, code: "unauthorized", detail: detail) }
    public static func forbidden(_ detail: String) -> Problem { Problem(status: .forbidden, code: "forbidden", detail: detail) }

    /// The response: JSON written by hand so the keys keep RFC 9457's order.
    public var response: Response {
        let body = "{\"type\":\"https://lifeline.invalid/problems/\(code)\",\"title\":" + JSONString.quoted(status.reasonPhrase)
            + ",\"status\":\(status.code),\"detail\":" + JSONString.quoted(detail) + ",\"code\":" + JSONString.quoted(code)
            + (members.isEmpty ? "}" : "," + JSONBody.object(members).dropFirst())
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Turns every error a route throws into a problem response, so no client ever sees a bare
/// 500 page or a Swift error description it cannot act on.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return problem.response
        } catch let failure as any LifelineFailure {
            if failure.kind == .internal || failure.kind == .configuration {
                context.logger.error("request failed", metadata: ["failure": .string(failure.description)])
            }
            return Problem(failure).response
        } catch let error as any HTTPResponseError {
            let status = error.status
            if status == .notFound, LifelineServer.isPagePath(request.uri.path) { return PageErrorMiddleware.notFound(path: request.uri.path) }
            return Problem(status: status, code: status == .notFound ? "not_found" : "http_\(status.code)", detail: "\(error)")
                .response
        } catch {
            context.logger.error("unexpected error", metadata: ["error": .string("\(type(of: error))")])
            return Problem(status: .internalServerError, code: "internal", detail: "an internal error; it was logged").response
        }
    }
}
