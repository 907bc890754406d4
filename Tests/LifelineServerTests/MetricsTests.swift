import Foundation
import Hummingbird
import HummingbirdTesting
import LifelineServer
import LifelineService
import LifelineTestSupport
import Testing

/// `GET /metrics`: Prometheus text, with labels that never carry a number, an email or a code.
struct MetricsTests {
    @Test(arguments: TestEngine.allCases) func requestsCodesAndTheOutboxAreCountedWithoutPersonalData(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let reset = try await client.execute(
                    uri: "/v1/password-resets", method: .post, headers: fixture.headers(.portal),
                    body: jsonBody(["email": "ann@example.com", "method": "sms"]))
                #expect(reset.status == .accepted)
                _ = try await client.execute(uri: "/v1/optins/447700900001", method: .get, headers: fixture.headers(.operator))
                _ = try await client.execute(uri: "/v1/optins/ann@example.com", method: .get, headers: fixture.headers(.operator))
                #expect(try await client.execute(uri: "/metrics", method: .get).status == .unauthorized, "not for strangers")
                let asPortal = try await client.execute(uri: "/metrics", method: .get, headers: fixture.headers(.portal))
                #expect(asPortal.status == .forbidden, "a portal backend cannot watch reset counters either")
                let scraped = try await client.execute(uri: "/metrics", method: .get, headers: fixture.headers(.operator))
                #expect(scraped.status == .ok && scraped.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = scraped.text
                #expect(text.contains(#"lifeline_http_requests_total{route="/v1/password-resets",method="POST",status="202"}"#))
                #expect(text.contains(#"route="/v1/optins/{who}""#), "the route's pattern, not its path")
                #expect(text.contains("lifeline_http_request_duration_seconds_bucket{"))
                #expect(text.contains(#"lifeline_code_requests_total{purpose="password_reset",outcome="accepted"}"#))
                #expect(text.contains(#"lifeline_outbox_messages{status="queued"} "#))
                for personal in ["ann@example.com", "447700900001", "example.com"] {
                    #expect(!text.contains(personal), "\(personal) in /metrics")
                }
            }
        }
    }
}
