import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import LifelineService
import LifelineTestSupport
import Testing

@testable import LifelineServer

/// Who a request is from (trusted proxies), its id, and the portal's 429s.
struct RequestLimitTests {
    @Test func rangesMatchTheirAddressesInBothFamilies() throws {
        let office = try #require(AddressRange("10.1.0.0/16"))
        #expect(office.contains(try #require(IPAddress("10.1.255.7"))))
        #expect(!office.contains(try #require(IPAddress("10.2.0.1"))))
        #expect(office.contains(try #require(IPAddress("::ffff:10.1.0.9"))), "an IPv4-mapped address is the IPv4 address")
        let odd = try #require(AddressRange("192.168.0.0/23"))
        #expect(odd.contains(IPAddress("192.168.1.200")!))
        #expect(!odd.contains(IPAddress("192.168.2.1")!))
        let v6 = try #require(AddressRange("fd00::/8"))
        #expect(v6.contains(IPAddress("fd12:3456::1")!))
        #expect(!v6.contains(IPAddress("fe80::1")!))
        #expect(AddressRange("::1")?.prefixLength == 128 && AddressRange("0.0.0.0/0")?.contains(IPAddress("8.8.8.8")!) == true)
        for bad in ["10.0.0.0/33", "10.0.0/8", "fd00::/129", "proxy", "10.0.0.0/", "/8"] {
            #expect(AddressRange(bad) == nil, "\(bad)")
        }
    }

    @Test func onlyATrustedProxyIsBelievedAboutTheClient() throws {
        let resolver = ClientAddressResolver(trustedProxies: [AddressRange("10.0.0.0/8")!, AddressRange("::1")!])
        let proxy = IPAddress("10.0.0.2"), stranger = IPAddress("203.0.113.9")
        #expect(resolver.client(peer: stranger, forwardedFor: ["198.51.100.1"]) == stranger, "anyone can send the header")
        #expect(resolver.client(peer: proxy, forwardedFor: ["198.51.100.1"]) == IPAddress("198.51.100.1"))
        #expect(
            resolver.client(peer: proxy, forwardedFor: ["6.6.6.6, 198.51.100.1", "10.0.0.7"]) == IPAddress("198.51.100.1"),
            "the nearest untrusted hop; what the client itself claimed further left is ignored")
        #expect(resolver.client(peer: proxy, forwardedFor: []) == proxy)
        #expect(resolver.client(peer: proxy, forwardedFor: ["not-an-address, 10.0.0.3"]) == IPAddress("10.0.0.3"))
        #expect(resolver.client(peer: IPAddress("::1"), forwardedFor: ["2001:db8::5"]) == IPAddress("2001:db8::5"))
    }

    @Test func aBucketRefillsOverItsWindow() {
        let clock = MovingClock()
        let limiter = RateLimiter(.init(name: "email", quota: 2, window: 60), clock: clock)
        #expect(limiter.take("a").allowed && limiter.take("a").allowed)
        let refused = limiter.take("a")
        #expect(!refused.allowed && refused.retryAfter == 30 && refused.remaining == 0 && refused.resetSeconds == 60)
        #expect(limiter.take("b").allowed, "each key has its own bucket")
        clock.advance(by: 30)
        #expect(limiter.take("a").allowed && !limiter.take("a").allowed)
        #expect(limiter.headers(refused)[.rateLimitPolicy] == "\"email\";q=2;w=60")
        #expect(limiter.headers(refused)[.rateLimit] == "\"email\";r=0;t=60")
    }

    @Test(arguments: TestEngine.allCases) func aRequestIdIsEchoedOrMadeAndNeverForgesALogLine(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let given = try await client.execute(uri: "/livez", method: .get, headers: [.requestID: "trace-42.a:b_c"])
                #expect(given.headers[.requestID] == "trace-42.a:b_c")
                let made = try await client.execute(uri: "/livez", method: .get)
                #expect(made.headers[.requestID]?.count == 24)
                let forged = try await client.execute(uri: "/livez", method: .get, headers: [.requestID: "x\" level=error"])
                #expect(forged.headers[.requestID] != "x\" level=error" && forged.headers[.requestID]?.count == 24)
                let problem = try await client.execute(uri: "/v1/nothing", method: .get, headers: [.requestID: "r1"])
                #expect(problem.status == .unauthorized || problem.status == .notFound)
                #expect(problem.headers[.requestID] == "r1", "errors carry the id too")
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func aRoutedPathAskedWithTheWrongMethodIs405WithAllow(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let live = try await client.execute(uri: "/livez", method: .delete)
                #expect(live.status == .methodNotAllowed && live.headers[.allow] == "GET")
                #expect(live.headers[.contentType] == "application/problem+json")
                let optIns = try await client.execute(uri: "/v1/optins", method: .put, headers: fixture.headers(.admin))
                #expect(optIns.status == .methodNotAllowed && optIns.headers[.allow] == "GET, POST")
                let pattern = try await client.execute(uri: "/v1/events/7/start", method: .get, headers: fixture.headers(.admin))
                #expect(pattern.status == .methodNotAllowed && pattern.headers[.allow] == "POST", "\(pattern.status) \(pattern.text)")
                let nowhere = try await client.execute(uri: "/v1/nowhere", method: .delete, headers: fixture.headers(.admin))
                #expect(nowhere.status == .notFound)
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func thePortalIsLimitedPerEmailAndPerAddressWith429AndHeaders(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            // A still clock: the buckets do not refill however long the test takes.
            let fixture = try ServerFixture(folder: folder, engine: engine, clock: MovingClock())
            var configuration = ServerConfiguration.checked
            configuration.requestsPerMinutePerEmail = 2
            configuration.requestsPerMinutePerAddress = 6
            try await fixture.application(configuration).test(.router) { client in
                func reset(_ email: String) async throws -> TestResponse {
                    try await client.execute(
                        uri: "/v1/password-resets", method: .post, headers: fixture.headers(.portal),
                        body: jsonBody(["email": email, "method": "sms"]))
                }
                let first = try await reset("ann@example.com")
                #expect(first.status == .accepted && first.headers[.rateLimitPolicy] == "\"address\";q=6;w=60")
                #expect(first.headers[.rateLimit] == "\"address\";r=5;t=10")
                #expect(try await reset(" ANN@example.com").status == .accepted)
                let third = try await reset("ann@example.com")
                #expect(third.status == .tooManyRequests && third.headers[.contentType] == "application/problem+json")
                #expect(third.headers[.retryAfter] == "30" && third.headers[.rateLimitPolicy] == "\"email\";q=2;w=60")
                #expect(third.json["code"] as? String == "rate_limited")
                // An unknown email is limited alike: a 429 says nothing about who exists.
                #expect(try await reset("nobody@example.com").status == .accepted)
                #expect(try await reset("nobody@example.com").status == .accepted)
                #expect(try await reset("nobody@example.com").status == .tooManyRequests)
                let spent = try await reset("bob@example.com")
                #expect(spent.status == .tooManyRequests && spent.headers[.rateLimitPolicy] == "\"address\";q=6;w=60")
                // Operators are not portal traffic.
                let operatorCall = try await client.execute(uri: "/v1/optins/summary", method: .get, headers: fixture.headers(.operator))
                #expect(operatorCall.status == .ok)
            }
        }
    }

    /// An email over RFC 5321's 254 bytes is 422 before it is stored or kept as a limiter key.
    @Test(arguments: TestEngine.allCases) func anOversizedEmailIs422AndStoresNothing(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let huge = String(repeating: "x", count: 100_000) + "@example.com"
                let answer = try await client.execute(
                    uri: "/v1/password-resets", method: .post, headers: fixture.headers(.portal), body: jsonBody(["email": huge, "method": "sms"]))
                #expect(answer.status == .unprocessableContent && answer.text.contains("at most 254"), "\(answer.text.prefix(200))")
                let rows = try fixture.environment.database.withCurrentConnection { connection in
                    try connection.queryFirst("SELECT count(*) FROM verification_requests") { $0.int64(at: 0) }
                }
                #expect(rows == 0)
            }
        }
    }
}
