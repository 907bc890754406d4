import Foundation
import Hummingbird
import HummingbirdTesting
import LifelineServer
import LifelineService
import LifelineTestSupport
import Logging
import Synchronization
import Testing

/// `/readyz` and the dispatcher's providers: a lone provider stopped by its configuration makes
/// the server not ready, and says why.
struct GatewayHealthTests {
    /// A gateway refusing for want of a credential until told otherwise.
    final class SwitchableGateway: MessageGateway, Sendable {
        let name = "switchable"
        let isConfigured = Mutex(false)

        func send(_ messages: [GatewayMessage]) async throws -> [GatewayOutcome] {
            guard isConfigured.withLock({ $0 }) else {
                throw GatewayFailure.notConfigured(variable: "LIFELINE_TEST_TOKEN", reason: "was refused by the provider")
            }
            return messages.map { _ in .sent(providerID: nil) }
        }
    }

    @Test(arguments: TestEngine.allCases) func aGatewayStoppedByItsConfigurationMakesTheServerNotReady(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            _ = try ConsentService(fixture.environment).requestOptIn(email: "ann@example.com", source: .portal, actor: "portal")
            let gateway = SwitchableGateway()
            let providers = ProviderChain(gateway)
            let served = fixture.environment.serving(from: DatabaseThreads())
            let dispatcher = DispatchService(
                environment: served, providers: providers, idleWait: .milliseconds(10), work: served.database.places.writing,
                logger: Logger(label: "test"))
            let application = LifelineServer.makeApplication(
                environment: served, configuration: ServerConfiguration(host: "127.0.0.1", port: 0),
                logger: Logger(label: "test"), providers: providers)
            let running = Task { try await dispatcher.run() }
            try await application.test(.router) { client in
                func ready() async throws -> TestResponse { try await client.execute(uri: "/readyz", method: .get) }
                var answer = try await ready()
                for _ in 0..<500 where answer.status == .ok {
                    try await Task.sleep(for: .milliseconds(10))
                    answer = try await ready()
                }
                #expect(answer.status == .serviceUnavailable && answer.json["code"] as? String == "not_ready")
                #expect((answer.json["detail"] as? String)?.contains("LIFELINE_TEST_TOKEN") == true, "\(answer.text)")
                // A refused credential is fixed by a change of configuration, which is a restart:
                // the breaker stays open however long it waits.
                gateway.isConfigured.withLock { $0 = true }
                try await Task.sleep(for: .milliseconds(200))
                #expect(try await ready().status == .serviceUnavailable)
            }
            running.cancel()
            try await running.value
            try await served.database.lanes.shutdown()
        }
    }
}
