import Foundation
import Hummingbird
import HummingbirdTesting
import LifelineServer
import LifelineService
import LifelineStore
import LifelineTestSupport
import Testing

/// The routes through HummingbirdTesting, without a socket.
struct ServerRouteTests {
    @Test func livezAnswersAndReadyzChecksTheDatabase() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder)
            try await fixture.application().test(.router) { client in
                let live = try await client.execute(uri: "/livez", method: .get)
                #expect(live.status == .ok && live.text == #"{"status":"ok"}"#)
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(ready.status == .ok)
            }
            try FileManager.default.removeItem(atPath: folder + "/lifeline.db")
            _ = FileManager.default.createFile(atPath: folder + "/lifeline.db", contents: nil)
            try await fixture.application().test(.router) { client in
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(ready.status == .serviceUnavailable)
                #expect(ready.headers[.contentType] == "application/problem+json")
                #expect(ready.json["code"] as? String == "not_ready")
            }
        }
    }

    @Test func aMissingOrWrongKeyIs401AndEveryErrorIsProblemJSON() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder)
            try await fixture.application().test(.router) { client in
                let body = jsonBody(["email": "ann@example.com"])
                let none = try await client.execute(uri: "/v1/password-resets", method: .post, headers: fixture.headers(nil), body: body)
                #expect(none.status == .unauthorized && none.headers[.contentType] == "application/problem+json")
                #expect(none.json["status"] as? Int == 401 && none.json["code"] as? String == "unauthorized")
                var wrong = fixture.headers(nil)
                wrong[.authorization] = "Bearer llk_" + String(repeating: "0", count: 64)
                #expect(try await client.execute(uri: "/v1/password-resets", method: .post, headers: wrong, body: body).status == .unauthorized)
                let missing = try await client.execute(uri: "/v1/nothing-here", method: .get, headers: fixture.headers(.admin))
                #expect(missing.status == .notFound && missing.headers[.contentType] == "application/problem+json")
                let garbled = try await client.execute(
                    uri: "/v1/password-resets", method: .post, headers: fixture.headers(.portal), body: ByteBuffer(string: "{not json"))
                #expect(garbled.status == .badRequest && garbled.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test func aRevokedKeyIsRefusedAtOnce() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder)
            try APIKeys(fixture.environment).revoke(name: "portal")
            try await fixture.application().test(.router) { client in
                let response = try await client.execute(
                    uri: "/v1/password-resets", method: .post, headers: fixture.headers(.portal),
                    body: jsonBody(["email": "ann@example.com"]))
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func theResetFlowAnswersEveryEmailAlikeAndCompletesOnceWithAGoodPassword() async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder)
            try await fixture.application().test(.router) { client in
                func start(_ email: String) async throws -> TestResponse {
                    try await client.execute(
                        uri: "/v1/password-resets", method: .post, headers: fixture.headers(.portal),
                        body: jsonBody(["email": email, "method": "sms"]))
                }
                let real = try await start("ann@example.com")
                let stranger = try await start("nobody@example.com")
                #expect(real.status == .accepted && stranger.status == .accepted)
                #expect(Set(real.json.keys) == ["request_id", "message"] && Set(stranger.json.keys) == ["request_id", "message"])
                #expect(real.json["message"] as? String == stranger.json["message"] as? String)
                let id = try #require(real.json["request_id"] as? String)

                let wrong = try await client.execute(
                    uri: "/v1/password-resets/\(id)/verify", method: .post, headers: fixture.headers(.portal),
                    body: jsonBody(["code": "000000"]))
                #expect(wrong.json["status"] as? String == "incorrect" && wrong.json["attempts_left"] as? Int == 4)
                let code = try #require(try await fixture.deliveredCodes().last)
                let right = try await client.execute(
                    uri: "/v1/password-resets/\(id)/verify", method: .post, headers: fixture.headers(.portal),
                    body: jsonBody(["code": code]))
                #expect(right.status == .ok && right.json["status"] as? String == "approved")

                let weak = try await client.execute(
                    uri: "/v1/password-resets/\(id)/complete", method: .post, headers: fixture.headers(.portal),
                    body: jsonBody(["password": "password"]))
                #expect(weak.status == .unprocessableContent && weak.headers[.contentType] == "application/problem+json")
                let done = try await client.execute(
                    uri: "/v1/password-resets/\(id)/complete", method: .post, headers: fixture.headers(.portal),
                    body: jsonBody(["password": "Tulip-Harbour-7"]))
                #expect(done.status == .ok && done.json["status"] as? String == "completed")
                let again = try await client.execute(
                    uri: "/v1/password-resets/\(id)/complete", method: .post, headers: fixture.headers(.portal),
                    body: jsonBody(["password": "Tulip-Harbour-8"]))
                #expect(again.status.code >= 400, "a reset completes once")
            }
        }
    }

    @Test(arguments: ["127.0.0.1:8080", "[::1]:0", "localhost:65535"])
    func listenAddressesParse(text: String) {
        #expect(ServerConfiguration(listen: text) != nil)
    }

    @Test(arguments: ["8080", "127.0.0.1", "127.0.0.1:65536", ":80", "[::1]8080"])
    func badListenAddressesAreRefused(text: String) {
        #expect(ServerConfiguration(listen: text) == nil)
    }
}
