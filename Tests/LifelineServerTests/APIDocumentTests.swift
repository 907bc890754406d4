import Foundation
import Hummingbird
import HummingbirdTesting
import LifelineServer
import LifelineService
import LifelineTestSupport
import Testing

/// The OpenAPI document is the contract: every API route is in it, and everything in it is a
/// route. The pages (HTML for people) are not the API.
struct APIDocumentTests {
    @Test(arguments: TestEngine.allCases) func theDocumentDescribesExactlyTheRoutes(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            let router = LifelineServer.makeRouter(
                environment: fixture.environment, configuration: ServerConfiguration())
            let routes = Set(router.routes.filter { !LifelineServer.isPagePath($0.path.description) && !LifelineServer.isSCIMPath($0.path.description) }.map { route in
                // The router writes a parameter as OpenAPI does: `/v1/events/{id}`.
                "\(route.method.rawValue) \(route.path.description)"
            })
            let document = try #require(try JSONSerialization.jsonObject(with: Data(APIDocument.text.utf8)) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let described = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
            #expect(routes.subtracting(described).isEmpty, "routes missing from docs/openapi.json: \(routes.subtracting(described).sorted())")
            #expect(described.subtracting(routes).isEmpty, "described but not routed: \(described.subtracting(routes).sorted())")
            #expect(document["openapi"] as? String == "3.1.0")
        }
    }

    @Test(arguments: TestEngine.allCases) func theDocumentIsServed(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let response = try await client.execute(uri: "/openapi.json", method: .get)
                #expect(response.status == .ok && response.text == APIDocument.text)
            }
        }
    }
}
