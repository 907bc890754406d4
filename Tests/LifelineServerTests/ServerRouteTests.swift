import Foundation
import Hummingbird
import HummingbirdTesting
import LifelineServer
import LifelineService
import LifelineStore
import LifelineTestSupport
import Logging
import Testing

/// The routes through HummingbirdTesting, without a socket.
struct ServerRouteTests {
    /// The database's threads are a service of the application: when it stops (a test's
    /// included), they stop, after the requests that used them.
    @Test(arguments: TestEngine.allCases) func theDatabaseThreadsStopWithTheApplication(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            let served = fixture.environment.serving(from: DatabaseThreads())
            let database = served.database
            let application = LifelineServer.makeApplication(
                environment: served, configuration: ServerConfiguration(host: "127.0.0.1", port: 0), logger: Logger(label: "test"))
            try await application.test(.router) { client in
                let ready = try await client.execute(uri: "/readyz", method: .get)
                let answer = try await database.write { 42 }
                #expect(ready.status == .ok && answer == 42)
            }
            do {
                _ = try await database.write { 42 }
                Issue.record("the writer thread still ran work after the application stopped")
            } catch {
                // Shut down with the application, as it should be.
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func livezAnswersAndReadyzChecksTheDatabase(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let live = try await client.execute(uri: "/livez", method: .get)
                #expect(live.status == .ok && live.text == #"{"status":"ok"}"#)
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(ready.status == .ok)
            }
            // The database falls behind the binary (as if restored from an older backup).
            try fixture.connection().execute(
                "DELETE FROM \(SchemaMigrator.recordTable) WHERE version = (SELECT max(version) FROM \(SchemaMigrator.recordTable))")
            try await fixture.application().test(.router) { client in
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(ready.status == .serviceUnavailable)
                #expect(ready.headers[.contentType] == "application/problem+json")
                #expect(ready.json["code"] as? String == "not_ready")
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func aMissingOrWrongKeyIs401AndEveryErrorIsProblemJSON(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
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

    @Test(arguments: TestEngine.allCases) func aRevokedKeyIsRefusedAtOnce(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try APIKeys(fixture.environment).revoke(name: "portal")
            try await fixture.application().test(.router) { client in
                let response = try await client.execute(
                    uri: "/v1/password-resets", method: .post, headers: fixture.headers(.portal),
                    body: jsonBody(["email": "ann@example.com"]))
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func theResetFlowAnswersEveryEmailAlikeAndCompletesOnceWithAGoodPassword(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
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

/// Sign-in, one-time codes and consent over HTTP, and the roles that may ask.
struct ServerPortalAndOperatorTests {
    @Test(arguments: TestEngine.allCases) func signInWithTwoStepThenTheCodeAuthenticates(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try ProfileService(fixture.environment).update(name: "default", resetOptions: nil, twoStep: .sms)
            let connection = try fixture.connection()
            let ann = try #require(try DirectoryStore(connection: connection).user(email: "ann@example.com"))
            try CredentialStore(connection: connection).setPassword(
                userID: ann.id, hash: try fixture.environment.passwordHasher.hash("Tulip-Harbour-7", random: SystemRandom()), at: Date())
            connection.close()
            try await fixture.application().test(.router) { client in
                let wrong = try await client.execute(
                    uri: "/v1/logins", method: .post, headers: fixture.headers(.portal),
                    body: jsonBody(["email": "ann@example.com", "password": "nope"]))
                #expect(wrong.json["status"] as? String == "invalid_credentials")
                let right = try await client.execute(
                    uri: "/v1/logins", method: .post, headers: fixture.headers(.portal),
                    body: jsonBody(["email": "ann@example.com", "password": "Tulip-Harbour-7"]))
                #expect(right.json["status"] as? String == "second_factor_required", "\(right.text)")
                let id = try #require(right.json["request_id"] as? String)
                let code = try #require(try await fixture.deliveredCodes().last)
                let verified = try await client.execute(
                    uri: "/v1/logins/\(id)/verify", method: .post, headers: fixture.headers(.portal), body: jsonBody(["code": code]))
                #expect(verified.json["status"] as? String == "authenticated", "\(verified.text)")
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func aCodeIsRequestedOncePerRequestIDAndChecked(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let body = jsonBody(["email": "bob@example.com", "purpose": "two_step", "request_id": "portal-9"])
                let first = try await client.execute(uri: "/v1/verifications", method: .post, headers: fixture.headers(.portal), body: body)
                #expect(first.status == .created && first.json["status"] as? String == "sent")
                let repeated = try await client.execute(uri: "/v1/verifications", method: .post, headers: fixture.headers(.portal), body: body)
                #expect(repeated.status == .ok && repeated.json["status"] as? String == "sent")
                #expect(try await fixture.deliveredCodes().count == 1, "one code per request id")
                let check = try await client.execute(
                    uri: "/v1/verifications/portal-9/check", method: .post, headers: fixture.headers(.portal),
                    body: jsonBody(["code": "000000"]))
                #expect(check.json["status"] as? String == "incorrect")
                let badPurpose = try await client.execute(
                    uri: "/v1/verifications", method: .post, headers: fixture.headers(.portal),
                    body: jsonBody(["email": "bob@example.com", "purpose": "marketing"]))
                #expect(badPurpose.status == .badRequest)
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func thePortalAsksForConsentAndOnlyOperatorsReadIt(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let asked = try await client.execute(
                    uri: "/v1/optins", method: .post, headers: fixture.headers(.portal), body: jsonBody(["email": "ann@example.com"]))
                #expect(asked.status == .accepted && asked.json["state"] as? String == "pending")
                let refused = try await client.execute(uri: "/v1/optins/ann@example.com", method: .get, headers: fixture.headers(.portal))
                #expect(refused.status == .forbidden && refused.headers[.contentType] == "application/problem+json")
                let status = try await client.execute(uri: "/v1/optins/447700900001", method: .get, headers: fixture.headers(.operator))
                let items = try #require(status.json["items"] as? [[String: Any]])
                #expect(items.count == 1 && items[0]["email"] as? String == "ann@example.com" && items[0]["state"] as? String == "pending")
                let unknown = try await client.execute(uri: "/v1/optins/nobody@example.com", method: .get, headers: fixture.headers(.admin))
                #expect(unknown.status == .notFound)
                let summary = try await client.execute(uri: "/v1/optins/summary", method: .get, headers: fixture.headers(.operator))
                #expect(summary.json["pending"] as? Int == 1 && summary.json["total"] as? Int == 2)
            }
        }
    }
}

/// An operator runs a continuity event over HTTP.
struct ServerEventTests {
    @Test(arguments: TestEngine.allCases) func createPreviewStartAndEndAnEventAndSeeItsDeliveries(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try Data("email,groups\nann@example.com,On-call\nbob@example.com,On-call\n".utf8)
                .write(to: URL(fileURLWithPath: folder + "/groups.csv"))
            _ = try DirectoryImporter(fixture.environment).importUsers(from: .file(path: folder + "/groups.csv"), path: "g", options: ImportOptions())
            _ = try ConsentService(fixture.environment).recordAdminDecision(
                email: "ann@example.com", state: .optedIn, evidence: "form", actor: "admin")
            try await fixture.application().test(.router) { client in
                let draft = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: [
                    "name": "Mail outage", "group": "On-call", "start_message": "Hi {name}: {event}.", "end_message": "{event} is over.",
                ]))
                let refused = try await client.execute(uri: "/v1/events", method: .post, headers: fixture.headers(.portal), body: draft)
                #expect(refused.status == .forbidden)
                // A group named in the body that does not exist is bad input, not a missing path.
                let unknownGroup = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: [
                    "name": "Mail outage", "group": "Nobody", "start_message": "Hi", "end_message": "Over",
                ]))
                let noGroup = try await client.execute(uri: "/v1/events", method: .post, headers: fixture.headers(.operator), body: unknownGroup)
                #expect(noGroup.status == .unprocessableContent && noGroup.json["code"] as? String == "bad_input", "\(noGroup.text)")
                #expect((noGroup.json["detail"] as? String)?.contains("no group named 'Nobody'") == true)
                let created = try await client.execute(uri: "/v1/events", method: .post, headers: fixture.headers(.operator), body: draft)
                #expect(created.status == .created, "\(created.text)")
                let id = try #require(created.json["id"] as? Int)

                let preview = try await client.execute(uri: "/v1/events/\(id)/preview", method: .get, headers: fixture.headers(.operator))
                #expect(preview.json["recipients"] as? Int == 1)
                #expect((preview.json["skipped"] as? [String: Int])?["not_opted_in"] == 1)

                let started = try await client.execute(uri: "/v1/events/\(id)/start", method: .post, headers: fixture.headers(.operator))
                #expect(started.json["state"] as? String == "active" && started.json["queued"] as? Int == 1)
                let again = try await client.execute(uri: "/v1/events/\(id)/start", method: .post, headers: fixture.headers(.operator))
                #expect(again.json["queued"] as? Int == 0 && again.json["already_done"] as? Bool == true)
                let ended = try await client.execute(uri: "/v1/events/\(id)/end", method: .post, headers: fixture.headers(.operator))
                #expect(ended.json["state"] as? String == "ended")
                let cancel = try await client.execute(uri: "/v1/events/\(id)/cancel", method: .post, headers: fixture.headers(.operator))
                #expect(cancel.status == .badRequest, "an ended event cannot be cancelled: \(cancel.text)")

                let shown = try await client.execute(uri: "/v1/events/\(id)", method: .get, headers: fixture.headers(.operator))
                #expect(shown.json["state"] as? String == "ended" && (shown.json["deliveries"] as? [[String: Any]])?.count == 2)
                let listed = try await client.execute(uri: "/v1/events?state=ended", method: .get, headers: fixture.headers(.admin))
                #expect((listed.json["items"] as? [[String: Any]])?.count == 1)
                let bad = try await client.execute(uri: "/v1/events?state=sideways", method: .get, headers: fixture.headers(.admin))
                #expect(bad.status == .badRequest)
                let missing = try await client.execute(uri: "/v1/events/999", method: .get, headers: fixture.headers(.admin))
                #expect(missing.status == .notFound)
            }
        }
    }
}

struct ServerDirectoryTests {
    @Test(arguments: TestEngine.allCases) func anOperatorSeesAUserAndTheirNumbersVerdict(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let shown = try await client.execute(uri: "/v1/users/ANN@example.com", method: .get, headers: fixture.headers(.operator))
                #expect(shown.status == .ok, "\(shown.text)")
                #expect(shown.json["email"] as? String == "ann@example.com" && shown.json["sms_verdict"] as? String == "valid")
                #expect(shown.json["sms_number"] as? String == "447700900001" && shown.json["auth_profile"] as? String == "default")
                #expect((shown.json["attributes"] as? [String: String])?["mobile"] == "447700900001")
                let missing = try await client.execute(uri: "/v1/users/nobody@example.com", method: .get, headers: fixture.headers(.operator))
                #expect(missing.status == .notFound)
                let portal = try await client.execute(uri: "/v1/users/ann@example.com", method: .get, headers: fixture.headers(.portal))
                #expect(portal.status == .forbidden)
            }
        }
    }
}
