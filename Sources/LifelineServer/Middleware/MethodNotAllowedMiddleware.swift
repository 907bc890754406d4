import HTTPTypes
import Hummingbird
import Synchronization

/// Answers 405 with `Allow` when the path is routed but not for this method. Hummingbird's
/// router answers 404 for both, which tells a client its URL is wrong when only its method is.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = LifelineRequestContext

    /// Every route's method and path pattern, filled in once the routes are added.
    final class RouteTable: Sendable {
        private let routes = Mutex<[(method: String, path: RouterPath)]>([])

        func record(_ routes: [(method: String, path: RouterPath)]) {
            self.routes.withLock { $0 = routes }
        }

        /// The methods routed for `path`, each segment matched as the router matches it.
        func methods(for path: String) -> [String] {
            let asked = path.split(separator: "/")
            return routes.withLock { routes in
                routes.filter { route in
                    route.path.components.count == asked.count && zip(route.path.components, asked).allSatisfy { $0 ~= $1 }
                }.map(\.method)
            }
        }
    }

    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = Set(table.methods(for: request.uri.path)).sorted()
            // A routed method whose handler found nothing (an unknown file) is a true 404.
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
            var problem = Problem(
                status: .methodNotAllowed, code: "method_not_allowed",
                detail: "\(request.method.rawValue) is not allowed here; \(allowed.joined(separator: ", ")) is")
            problem.headers[.allow] = allowed.joined(separator: ", ")
            throw problem
        }
    }
}
