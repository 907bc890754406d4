import FoundationEssentials
import Hummingbird
import LifelineService
import Logging
import NIOCore
import NIOHTTP1

/// Turns every error a route throws into an answer: a problem for the API, so no client ever
/// sees a bare 500 page or a Swift error description it cannot act on, and for the pages (people
/// at a browser) an ``ErrorPage`` with the same status, and for identity providers under /scim
/// SCIM's own error (``SCIMErrorResponse``).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            if LifelineServer.isPagePath(request.uri.path) {
                return ErrorPage.response(for: error, path: request.uri.path, logger: context.logger)
            }
            if LifelineServer.isSCIMPath(request.uri.path) {
                return SCIMErrorResponse.response(for: error, logger: context.logger)
            }
            return Problem(caught: error, logger: context.logger).response
        }
    }
}
