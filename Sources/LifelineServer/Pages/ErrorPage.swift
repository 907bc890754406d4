import Hummingbird
import LifelineService
import Logging

/// What a page shows instead of itself when its handler throws (a form from another tab, a page
/// for admins only, too many attempts, no such page), in the pages' layout and with their
/// security headers. The status and its wording come from the same ``Problem`` the API answers.
enum ErrorPage {
    static func response(for error: any Error, path: String, logger: Logger) -> Response {
        let area = path.split(separator: "/").first == "console" ? "console" : "portal"
        switch error {
        case PageRefusal.staleForm:
            return page(
                .forbidden, title: "This form has expired", area: area,
                detail: "The form was sent without its security token, or from another session. Go back, reload the page and send it again.")
        case PageRefusal.needsRole(let role, let layout):
            return page(
                .forbidden, title: "For \(role.rawValue)s only", area: area,
                detail: "Your console account cannot open this page; ask an admin.", layout: layout)
        default:
            let problem = Problem(caught: error, logger: logger)
            let (title, detail): (String, String) =
                switch problem.status {
                case .notFound where error is any HTTPResponseError: ("Not found", "There is no such page.")
                case .tooManyRequests: ("Too many attempts", problem.detail)
                case .contentTooLarge:
                    (
                        "Too large",
                        "The upload is larger than a page accepts (64 MiB). Larger directories go through POST /v1/imports or `lifeline import users`."
                    )
                case _ where problem.status.code >= 500:
                    ("Something went wrong", "The server could not show this page; it was logged. Try again in a moment.")
                default: ("Not possible", problem.detail)
                }
            var response = page(problem.status, title: title, area: area, detail: detail)
            for field in problem.headers { response.headers.append(field) }
            if let retryAfter = problem.retryAfter { response.headers[.retryAfter] = String(retryAfter) }
            return response
        }
    }

    private static func page(
        _ status: HTTPResponse.Status, title: String, area: String, detail: String, layout: PageLayout? = nil
    ) -> Response {
        let layout = layout ?? PageLayout(area: WebArea(rawValue: area) ?? .portal, csrf: "", signedInEmail: nil, isAdmin: false)
        let context = PageContext(view: ErrorView(detail: detail, home: "/\(area)"), layout: layout, title: title)
        let html = WebFiles.templates.render(context, withTemplate: ErrorView.template) ?? detail
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        SecurityHeaders.apply(to: &headers)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

/// The error page: what went wrong, and the way back.
struct ErrorView: PageView {
    static let template = "error"
    let detail: String
    let home: String
}
