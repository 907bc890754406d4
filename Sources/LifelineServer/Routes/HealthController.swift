import Hummingbird
import LifelineService

/// `/livez` (the process answers) and `/readyz` (the database opens at the current schema,
/// and the dispatcher's gateway is not stopped by its configuration).
struct HealthController {
    let environment: LifelineEnvironment
    let database: Database
    let gateway: GatewayHealth?

    func addRoutes(to router: Router<LifelineRequestContext>) {
        router.get("livez") { _, _ in Liveness(status: "ok") }
        router.get("readyz", use: getReadyz)
    }

    @Sendable func getReadyz(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        do {
            try await database.read { try DatabaseMaintenance(environment).checkReady() }
        } catch let failure as any LifelineFailure {
            return Problem(status: .serviceUnavailable, code: "not_ready", detail: "database: \(failure.description)").response
        }
        if let problem = gateway?.configurationProblem {
            return Problem(status: .serviceUnavailable, code: "not_ready", detail: "gateway \(gateway?.name ?? ""): \(problem)").response
        }
        return try Readiness(status: "ready", checks: .init(database: "ok", gateway: gateway?.name))
            .response(from: request, context: context)
    }

    struct Liveness: ResponseEncodable {
        let status: String
    }

    struct Readiness: ResponseEncodable {
        struct Checks: Encodable {
            let database: String
            /// The dispatcher's gateway, when this process runs one.
            let gateway: String?
        }

        let status: String
        let checks: Checks
    }
}
