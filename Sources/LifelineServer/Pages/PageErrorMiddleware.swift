import Hummingbird
import LifelineService

/// Turns what a page handler throws into a page a person can act on (a form from another tab,
/// a page for admins only, too many attempts), in the same layout and with the same security
/// headers; the API's problem+json is for programs.
struct PageErrorMiddleware: RouterMiddleware {
    typealias Context = LifelineRequestContext
    let area: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let refusal as PageRefusal {
            switch refusal {
            case .staleForm:
                return page(
                    .forbidden, title: "This form has expired",
                    detail: "The form was sent without its security token, or from another session. Go back, reload the page and send it again.")
            case .needsRole(let role):
                return page(.forbidden, title: "For \(role.rawValue)s only", detail: "Your console account cannot open this page; ask an admin.")
            case .notFound(let what):
                return page(.notFound, title: "Not found", detail: "There is no \(what) here.")
            }
        } catch let problem as Problem {
            var response = page(problem.status, title: problem.status == .tooManyRequests ? "Too many attempts" : "Not possible", detail: problem.detail)
            if let retryAfter = problem.retryAfter { response.headers[.retryAfter] = String(retryAfter) }
            return response
        } catch let failure as any LifelineFailure where failure.kind != .internal && failure.kind != .configuration {
            return page(Problem(failure).status, title: "Not possible", detail: failure.message)
        } catch let error as any HTTPResponseError where error.status == .notFound {
            return page(.notFound, title: "Not found", detail: "There is no such page.")
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return page(
                .contentTooLarge, title: "Too large",
                detail: "The upload is larger than a page accepts (64 MiB). Larger directories go through POST /v1/imports or `lifeline import users`.")
        } catch {
            let detail = (error as? any LifelineFailure)?.description ?? "\(type(of: error))"
            context.logger.error("page failed", metadata: ["failure": .string(detail)])
            return page(.internalServerError, title: "Something went wrong", detail: "The server could not show this page; it was logged. Try again in a moment.")
        }
    }

    private func page(_ status: HTTPResponse.Status, title: String, detail: String) -> Response {
        Self.page(status, title: title, detail: detail, area: area)
    }

    /// A page path no route matches (the router answers before any group's middleware runs).
    static func notFound(path: String) -> Response {
        let area = path.split(separator: "/").first == "console" ? "console" : "portal"
        return page(.notFound, title: "Not found", detail: "There is no such page.", area: area)
    }

    private static func page(_ status: HTTPResponse.Status, title: String, detail: String, area: String) -> Response {
        let values: [String: Any] = ["title": title, "detail": detail, area: true, "home": "/\(area)"]
        let html = WebFiles.templates.render(values, withTemplate: "error") ?? detail
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        SecurityHeaders.apply(to: &headers)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
