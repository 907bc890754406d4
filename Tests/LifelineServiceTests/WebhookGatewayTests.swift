import Foundation
import LifelineStore
import LifelineTestSupport
@testable import LifelineWebhook
import Testing

@testable import LifelineService

/// The webhook gateway against a scripted HTTP server on 127.0.0.1, through the dispatcher.
struct WebhookGatewayTests {
    private let secret = Array("a-test-secret-of-32-bytes-length".utf8)

    /// An event whose two start alerts (Ann's and Bob's) are queued, and nothing else.
    private func started(_ folder: String, engine: TestEngine) async throws -> EventFixture {
        let setup = try EventFixture(folder: folder, engine: engine)
        _ = try await OutboxDispatcher(.testing(setup.fixture.settings, clock: setup.clock)).dispatch(through: ScriptedGateway())
        _ = try setup.events.start(id: try setup.createEvent(), by: "test")
        return setup
    }

    private func gateway(_ server: ScriptedHTTPServer, timeout: Duration = .seconds(5)) throws -> WebhookGateway {
        var configuration = try WebhookConfiguration(url: server.url, secret: secret)
        configuration.timeout = timeout
        return WebhookGateway(configuration: configuration, clock: SystemClock())
    }

    private func dispatch(_ setup: EventFixture, _ gateway: WebhookGateway, limit: Int? = nil) async throws -> DispatchSummary {
        try await OutboxDispatcher(.testing(setup.fixture.settings, clock: setup.clock, random: MidpointRandom()))
            .dispatch(through: gateway, options: DispatchOptions(limit: limit))
    }

    private func state(_ setup: EventFixture, _ id: Int64) throws -> (status: String, attempts: Int, lastError: String?, providerID: String?) {
        try #require(try OutboxStore(connection: setup.fixture.connection()).state(id: id))
    }

    @Test(arguments: TestEngine.allCases) func postsSignedJSONWithTheIdempotencyKeyAndKeepsTheProviderID(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try await started(folder, engine: engine)
            let server = try ScriptedHTTPServer(script: [
                .init(status: 202, body: #"{"id":"prov-1"}"#), .init(status: 200, body: #"{"message_id":"prov-2"}"#),
            ])
            defer { server.stop() }
            #expect(try await dispatch(setup, try gateway(server)).sent == 2)
            let requests = server.received.sorted { $0.headers["idempotency-key"]! < $1.headers["idempotency-key"]! }
            #expect(requests.count == 2 && requests.allSatisfy { $0.method == "POST" && $0.path == "/sms" })
            for request in requests {
                let timestamp = try #require(request.headers["x-lifeline-timestamp"])
                let signature = try #require(request.headers["x-lifeline-signature"])
                #expect(WebhookSignature.isValid(signature, secret: secret, timestamp: timestamp, body: request.body))
                #expect(!WebhookSignature.isValid(signature, secret: Array("another-secret-of-32-bytes-long!".utf8), timestamp: timestamp, body: request.body))
                let json = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
                #expect(request.headers["idempotency-key"] == "lifeline-\(json["id"] as? Int ?? 0)")
                #expect((json["to"] as? String)?.hasPrefix("4477009000") == true && json["kind"] as? String == "event_start")
                #expect(request.headers["content-type"] == "application/json")
            }
            let providerIDs = try setup.alerts(1).indices.map { index in
                try state(setup, Int64(try #require(try JSONSerialization.jsonObject(with: Data(requests[index].body)) as? [String: Any])["id"] as! Int)).providerID
            }
            #expect(Set(providerIDs.compactMap { $0 }) == ["prov-1", "prov-2"])
        }
    }

    @Test(arguments: TestEngine.allCases) func aServerErrorThenSuccessIsOneSentMessageWithTwoAttempts(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try await started(folder, engine: engine)
            let server = try ScriptedHTTPServer(script: [.init(status: 500, body: "upstream down")])
            defer { server.stop() }
            let gateway = try gateway(server)
            #expect(try await dispatch(setup, gateway, limit: 1).retried == 1)
            let id = Int64(try #require(try JSONSerialization.jsonObject(with: Data(server.received[0].body)) as? [String: Any])["id"] as! Int)
            #expect(try state(setup, id).lastError == "webhook: HTTP 500: upstream down")
            setup.clock.advance(by: 30)
            _ = try await dispatch(setup, gateway)
            let final = try state(setup, id)
            #expect(final.status == "sent" && final.attempts == 2)
            #expect(server.received.filter { $0.headers["idempotency-key"] == "lifeline-\(id)" }.count == 2)
        }
    }

    @Test(arguments: TestEngine.allCases) func tooManyRequestsIsRetriedNoSoonerThanRetryAfter(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try await started(folder, engine: engine)
            let server = try ScriptedHTTPServer(script: [.init(status: 429, headers: ["Retry-After": "90"])])
            defer { server.stop() }
            let gateway = try gateway(server)
            _ = try await dispatch(setup, gateway, limit: 1)
            setup.clock.advance(by: 89)
            _ = try await dispatch(setup, gateway)
            #expect(server.received.count == 2, "the other alert went; the limited one waits")
            setup.clock.advance(by: 1)
            #expect(try await dispatch(setup, gateway).sent == 1)
            #expect(server.received.count == 3)
        }
    }

    @Test(arguments: TestEngine.allCases) func aClientErrorFailsAtOnce(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try await started(folder, engine: engine)
            let server = try ScriptedHTTPServer(script: [.init(status: 400, body: "invalid number"), .init(status: 400)])
            defer { server.stop() }
            let summary = try await dispatch(setup, try gateway(server))
            #expect(summary.failed == 2 && summary.retried == 0)
            #expect(try setup.alerts(1).allSatisfy { $0.status == "failed" })
        }
    }

    @Test(arguments: TestEngine.allCases) func refusedCredentialsPutTheBatchBackInsteadOfFailingIt(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try await started(folder, engine: engine)
            let server = try ScriptedHTTPServer(script: [.init(status: 401, body: "bad signature"), .init(status: 401)])
            defer { server.stop() }
            let gateway = try gateway(server)
            await #expect(throws: GatewayFailure.notConfigured(
                variable: "LIFELINE_WEBHOOK_SECRET", reason: "was refused by the provider (HTTP 401); nothing was sent, and the messages wait")
            ) { try await dispatch(setup, gateway) }
            #expect(try setup.alerts(1).map(\.status) == ["queued", "queued"], "the alerts wait for the configuration to be fixed")
            // Fixed (the script is spent: the server now answers 200): both go out.
            #expect(try await dispatch(setup, gateway).sent == 2)
        }
    }

    @Test(arguments: TestEngine.allCases) func timeoutsAndARefusedConnectionAreRetried(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try await started(folder, engine: engine)
            // Answers far later than the timeout, so a loaded machine cannot let one arrive in time:
            // in one CI run the whole test process stood still for two minutes (two cores, the
            // cooperative pool busy), and an answer 5 s late arrived "in time". Nobody waits for
            // this one: the serving thread sleeps on its own and the test never joins it.
            let server = try ScriptedHTTPServer(script: [.init(status: 200, delay: 3600), .init(status: 200, delay: 3600)])
            let summary = try await dispatch(setup, try gateway(server, timeout: .milliseconds(300)))
            #expect(summary.retried == 2 && summary.sent == 0, "\(summary)")
            server.stop()
            setup.clock.advance(by: 60)
            // Not the stopped server's port: another test may be given it meanwhile.
            let closed = try RefusingPort()
            var refusing = try WebhookConfiguration(url: closed.url, secret: secret)
            refusing.timeout = .milliseconds(500)  // AsyncHTTPClient retries a refused connect until then
            let refused = WebhookGateway(configuration: refusing, clock: SystemClock())
            #expect(try await dispatch(setup, refused).retried == 2)
            #expect(try setup.alerts(1).allSatisfy { $0.status == "queued" })
        }
    }

    @Test(arguments: TestEngine.allCases) func aRedirectIsAFailureAndTheSignedBodyIsNeverSentOn(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try await started(folder, engine: engine)
            let elsewhere = try ScriptedHTTPServer(script: [.init(status: 200), .init(status: 200)])
            defer { elsewhere.stop() }
            let server = try ScriptedHTTPServer(script: [
                .init(status: 307, headers: ["Location": elsewhere.url]), .init(status: 301, headers: ["Location": elsewhere.url]),
            ])
            defer { server.stop() }
            let summary = try await dispatch(setup, try gateway(server))
            #expect(summary.failed == 2 && summary.sent == 0)
            #expect(elsewhere.received.isEmpty, "nothing reached the host the receiver pointed at")
            #expect(try setup.alerts(1).allSatisfy { $0.status == "failed" })
        }
    }

    @Test func anErrorAnswerToACodeKeepsTheStatusAndNeverTheEchoedBody() {
        let echo = Array(#"{"code": 21211, "message": "bad To", "body": "Your sign-in code is 493817."}"#.utf8)
        #expect(
            WebhookResponse.outcome(status: 400, retryAfter: nil, body: echo, mayEchoASecret: true)
                == .failed(reason: "HTTP 400 (provider error 21211)"))
        #expect(
            WebhookResponse.outcome(status: 500, retryAfter: nil, body: Array("Your code is 493817".utf8), mayEchoASecret: true)
                == .retry(reason: "HTTP 500", after: nil))
    }

    @Test func plainHTTPIsAcceptedOnlyToThisMachine() throws {
        for url in ["http://127.0.0.1:8080/sms", "http://localhost/sms", "http://[::1]:9/sms", "https://sms.example.com/in"] {
            #expect(throws: Never.self) { try WebhookConfiguration(url: url, secret: secret) }
        }
        for url in ["http://sms.example.com/in", "http://10.0.0.5/in", "http://127.0.0.1.example.com/in", "http://user@example.com/"] {
            #expect(throws: GatewayFailure.self) { try WebhookConfiguration(url: url, secret: secret) }
        }
    }

    @Test func configurationIsCheckedBeforeAnythingIsSent() {
        #expect(throws: GatewayFailure.self) { try WebhookConfiguration(url: "ftp://example.com", secret: secret) }
        #expect(throws: GatewayFailure.self) { try WebhookConfiguration(url: "https://example.com/sms", secret: Array("short".utf8)) }
    }

    @Test(arguments: [
        (200, nil, "", GatewayOutcome.sent(providerID: nil)),
        (201, nil, #"{"id":"x1"}"#, .sent(providerID: "x1")),
        (429, "120", "", .throttled(reason: "HTTP 429", after: .seconds(120))),
        (503, "Wed, 21 Oct 2026 07:28:00 GMT", "", .retry(reason: "HTTP 503", after: nil)),
        (404, nil, "", .failed(reason: "HTTP 404")),
    ])
    func readsAnAnswer(status: Int, retryAfter: String?, body: String, expected: GatewayOutcome) {
        #expect(WebhookResponse.outcome(status: status, retryAfter: retryAfter, body: Array(body.utf8)) == expected)
    }
}
