import Hummingbird
import LifelineService

/// Finds the client's live API key from `Authorization: Bearer llk_…` and puts it on the
/// context; a missing or unknown key is 401. Routes then declare the role they need
/// (``RequireRole``), rather than checking it in their bodies.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = LifelineRequestContext
    let environment: LifelineEnvironment
    let database: Database

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw Problem.unauthorized("an API key is required: send Authorization: Bearer llk_…")
        }
        let presented = String(header.dropFirst("Bearer ".count))
        let environment = environment
        let client = try await database.read { try APIKeys(environment).authenticate(presented) }
        guard let client else { throw Problem.unauthorized("the API key is not valid, or it was revoked") }
        var context = context
        context.client = client
        return try await next(request, context)
    }
}
