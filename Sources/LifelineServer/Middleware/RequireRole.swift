import Hummingbird
import LifelineService

/// A route group's required role: a key with a lower role is 403.
struct RequireRole: RouterMiddleware {
    typealias Context = LifelineRequestContext
    let role: APIKeyRole

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let client = context.client, client.role.includes(role) else {
            throw Problem.forbidden("this needs an API key with the \(role.rawValue) role")
        }
        return try await next(request, context)
    }
}
