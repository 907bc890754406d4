import Hummingbird
import LifelineService

/// `/livez` (the process answers) and `/readyz` (the database opens at the current schema).
struct HealthRoutes {
    let environment: LifelineEnvironment
    let database: DatabaseWork

    func add(to router: Router<LifelineRequestContext>) {
        router.get("livez") { _, _ in Self.json("{\"status\":\"ok\"}") }
        router.get("readyz") { _, _ in
            let environment = environment
            do {
                try await database.read { try DatabaseMaintenance(environment).checkReady() }
            } catch let failure as any LifelineFailure {
                return Problem(status: .serviceUnavailable, code: "not_ready", detail: "database: \(failure.description)").response
            }
            return Self.json("{\"status\":\"ready\",\"checks\":{\"database\":\"ok\"}}")
        }
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
