import Hummingbird
import LifelineService

/// `/livez` (the process answers) and `/readyz` (the database opens at the current schema,
/// and not every SMS provider is stopped by its configuration). An unreachable provider is not
/// a readiness failure: messages wait in the outbox, or go through the next provider, and the
/// portal, the codes' checks and the operators' reads all still work.
struct HealthController {
    let environment: LifelineEnvironment
    let database: Database
    let providers: ProviderChain?

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
        let reports = providers?.reports() ?? []
        if let failure = providers?.configurationFailure() {
            return Problem(status: .serviceUnavailable, code: "not_ready", detail: "providers: \(failure.message)").response
        }
        return try Readiness(
            status: "ready",
            checks: .init(
                database: "ok", gateway: reports.first?.name,
                providers: reports.map { .init(name: $0.name, health: $0.health.rawValue, problem: $0.configurationProblem) })
        ).response(from: request, context: context)
    }

    struct Liveness: ResponseEncodable {
        let status: String
    }

    struct Readiness: ResponseEncodable {
        struct Checks: Encodable {
            let database: String
            /// The dispatcher's first choice of provider, when this process runs one.
            let gateway: String?
            /// Every provider in order, with its health: up, down, probing or misconfigured.
            let providers: [Provider]
        }

        struct Provider: Encodable {
            let name: String
            let health: String
            let problem: String?
        }

        let status: String
        let checks: Checks
    }
}
