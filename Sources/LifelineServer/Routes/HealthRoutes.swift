import Hummingbird
import LifelineService

/// `/livez` (the process answers) and `/readyz` (the database opens at the current schema,
/// and the dispatcher's gateway is not stopped by its configuration).
struct HealthRoutes {
    let environment: LifelineEnvironment
    let database: DatabaseWork
    let gateway: GatewayHealth?

    func add(to router: Router<LifelineRequestContext>) {
        router.get("livez") { _, _ in JSONBody.response([("status", .text("ok"))]) }
        router.get("readyz") { [gateway] _, _ in
            let environment = environment
            do {
                try await database.read { try DatabaseMaintenance(environment).checkReady() }
            } catch let failure as any LifelineFailure {
                return Problem(status: .serviceUnavailable, code: "not_ready", detail: "database: \(failure.description)").response
            }
            if let problem = gateway?.configurationProblem {
                return Problem(status: .serviceUnavailable, code: "not_ready", detail: "gateway \(gateway?.name ?? ""): \(problem)").response
            }
            let checks: [(String, JSONBody.Value)] = [("database", .text("ok"))] + (gateway.map { [("gateway", .text($0.name))] } ?? [])
            return JSONBody.response([("status", .text("ready")), ("checks", .json(JSONBody.object(checks)))])
        }
    }
}
