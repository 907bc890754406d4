import FoundationEssentials
import HTTPTypes
import Hummingbird
import LifelineService
import Synchronization

/// Applies the per-address limit to a route group, and reports it on every answer.
struct AddressLimitMiddleware: RouterMiddleware {
    typealias Context = LifelineRequestContext
    let limits: RequestLimits

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let limiter = limits.perAddress
        let decision = limiter.take(context.clientAddress?.description ?? "unknown")
        guard decision.allowed else {
            throw limiter.refusal(decision, detail: "too many requests from this address; try again in \(decision.retryAfter) s")
        }
        var response = try await next(request, context)
        for field in limiter.headers(decision) { response.headers.append(field) }
        return response
    }
}
