import Foundation
import LifelineServer
import LifelineTestSupport
import Testing

/// `lifeline serve` as a user runs it: the built binary on a free loopback port.
struct ServeCLITests {
    /// Hostile clients: a broken chunked body is a 400, a client that hangs up mid-body is no
    /// server error in the metrics or the log, and a client stalled mid-body cannot keep a
    /// stopping server alive past the shutdown deadline.
    @Test(.timeLimit(.minutes(2)), .tags(.slow), .skippedWhenQuick, arguments: TestEngine.allCases)
    func malformedAbandonedAndStalledRequestsNeitherFailNorHoldTheServer(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let database = try CLIDatabase(engine, folder: folder)
            #expect(try await database.run(["migrate"]).status == 0)
            let created = try await database.run(["api-keys", "create", "ops", "--role", "operator", "--format", "json"])
            let key = try #require((try JSONSerialization.jsonObject(with: Data(created.standardOutput.utf8)) as? [String: Any])?["key"] as? String)
            let (process, exited, port) = try await database.serve([], folder: folder)
            let head = "POST /portal/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            let broken = try await LoopbackHTTP.raw(
                port: port, head + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nemail=a\r\n0\r\n\r\n")
            #expect(broken.status == 400, "\(broken)")
            _ = try await LoopbackHTTP.raw(port: port, head + "Content-Length: 100\r\n\r\nemail=a", hangUp: true)
            let metrics = try await LoopbackHTTP.request(port: port, method: "GET", path: "/metrics", headers: ["Authorization": "Bearer \(key)"])
            #expect(metrics.status == 200)
            #expect(!metrics.body.contains("status=\"5"), "no 5xx counted: \(metrics.body.split(separator: "\n").filter { $0.contains("status=") })")
            // Half a body, then SIGTERM: the server stops within its deadline all the same.
            let stalled = try await LoopbackHTTP.request(
                port: port, method: "POST", path: "/portal/sign-in", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                firstPart: "email=ann", rest: "@example.com&password=x"
            ) {
                kill(process.processIdentifier, SIGTERM)
                #expect(await exited.status() == 0)
            }
            #expect(stalled.status != 500)
            let log = try String(contentsOfFile: folder + "/serve.log", encoding: .utf8)
            #expect(!log.contains("\"level\":\"error\""), "\(log)")
            #expect(log.contains("\"max_connections\":"))
        }
    }

    @Test(arguments: TestEngine.allCases) func servesTheResetFlowAndStopsOnSIGTERMWithExit0(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let database = try CLIDatabase(engine, folder: folder)
            try Data("email,mobile\nann@example.com,447700900001\n".utf8).write(to: URL(fileURLWithPath: folder + "/s.csv"))
            for arguments in [["migrate"], ["import", "users", folder + "/s.csv"], ["sms", "attribute", "set", "mobile"]] {
                #expect(try await database.run(arguments).status == 0)
            }
            let created = try await database.run(["api-keys", "create", "portal", "--role", "portal", "--format", "json"])
            let key = try #require((try JSONSerialization.jsonObject(with: Data(created.standardOutput.utf8)) as? [String: Any])?["key"] as? String)
            #expect(key.hasPrefix("llk_") && key.count == 68)
            let list = try await database.run(["api-keys", "list", "--format", "csv"])
            #expect(!list.standardOutput.contains(key) && list.standardOutput.contains(String(key.prefix(10))))

            let (process, exited, port) = try await database.serve([], folder: folder)
            let live = try await LoopbackHTTP.request(port: port, method: "GET", path: "/livez")
            #expect(live.status == 200)
            let headers = ["Authorization": "Bearer \(key)", "Content-Type": "application/json"]
            let delivered = try await resetPassword(port: port, headers: headers, phone: database.outboxFile)
            let signedIn = try await LoopbackHTTP.request(
                port: port, method: "POST", path: "/v1/logins", headers: headers,
                body: #"{"email":"ann@example.com","password":"Tulip-Harbour-7"}"#)
            #expect(signedIn.body.contains("\"authenticated\""), "\(signedIn.body)")
            let refused = try await LoopbackHTTP.request(port: port, method: "POST", path: "/v1/password-resets", body: "{}")
            #expect(refused.status == 401 && refused.headers["content-type"] == "application/problem+json")

            kill(process.processIdentifier, SIGTERM)
            #expect(await exited.status() == 0, "SIGTERM stops the server cleanly")
            let logText = try String(contentsOfFile: folder + "/serve.log", encoding: .utf8)
            #expect(!logText.contains(key), "no key in the logs")
            #expect(!database.secrets.contains { logText.contains($0) }, "no database password in the logs")
            #expect(!logText.contains(delivered) && !logText.contains("Tulip-Harbour-7"), "no code or password in the logs")
            #expect(!logText.contains("ann@example.com") && !logText.contains("447700900001"), "no email or number in the logs")
            #expect(logText.contains("Lifeline is serving http://127.0.0.1:\(port): the API at"), "one plain line says where it is")
            let requestLine = try #require(logText.split(separator: "\n").first { $0.contains("\"message\":\"request\"") })
            #expect(requestLine.contains("\"request_id\":") && requestLine.contains("\"route\":") && requestLine.contains("\"status\":"))
        }
    }

    @Test(arguments: TestEngine.allCases) func twoStepSignInAndATwilioSignedStopOverHTTP(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let database = try CLIDatabase(engine, folder: folder)
            try Data("email,mobile\nann@example.com,447700900001\n".utf8).write(to: URL(fileURLWithPath: folder + "/s.csv"))
            for arguments in [
                ["migrate"], ["import", "users", folder + "/s.csv"], ["sms", "attribute", "set", "mobile"],
                ["profiles", "update", "default", "--two-step", "sms"],
                ["optin", "record", "ann@example.com", "--state", "opted_in", "--evidence", "signed form"],
            ] {
                let result = try await database.run(arguments)
                #expect(result.status == 0, "\(arguments): \(result.standardError)")
            }
            let created = try await database.run(["api-keys", "create", "portal", "--role", "portal", "--format", "json"])
            let key = try #require((try JSONSerialization.jsonObject(with: Data(created.standardOutput.utf8)) as? [String: Any])?["key"] as? String)
            let token = "e2e-twilio-auth-token"
            let publicURL = "https://sms.example.org"
            let (process, exited, port) = try await database.serve(
                ["--public-url", publicURL], folder: folder, environment: ["LIFELINE_TWILIO_AUTH_TOKEN": token])
            let headers = ["Authorization": "Bearer \(key)", "Content-Type": "application/json"]
            _ = try await resetPassword(port: port, headers: headers, phone: database.outboxFile)

            let login = try await LoopbackHTTP.request(
                port: port, method: "POST", path: "/v1/logins", headers: headers,
                body: #"{"email":"ann@example.com","password":"Tulip-Harbour-7"}"#)
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(login.body.utf8)) as? [String: Any], "\(login.body)")
            #expect(answer["status"] as? String == "second_factor_required", "\(login.body)")
            let requestID = try #require(answer["request_id"] as? String)
            let code = try await deliveredCode(phone: database.outboxFile, after: 1)
            let verified = try await LoopbackHTTP.request(
                port: port, method: "POST", path: "/v1/logins/\(requestID)/verify", headers: headers, body: "{\"code\":\"\(code)\"}")
            #expect(verified.body.contains("\"authenticated\""), "\(verified.body)")

            let fields = [("From", "+447700900001"), ("To", "+447700900999"), ("Body", "STOP"), ("MessageSid", "SMe2e0001")]
            let form = fields.map { "\($0.0)=\($0.1.replacingOccurrences(of: "+", with: "%2B"))" }.joined(separator: "&")
            let signature = TwilioSignature.expected(
                authToken: token, url: publicURL + "/v1/webhooks/twilio/sms", parameters: fields.map { (name: $0.0, value: $0.1) })
            let twilioHeaders = ["Content-Type": "application/x-www-form-urlencoded"]
            let tampered = try await LoopbackHTTP.request(
                port: port, method: "POST", path: "/v1/webhooks/twilio/sms",
                headers: twilioHeaders.merging(["X-Twilio-Signature": signature]) { $1 },
                body: form.replacingOccurrences(of: "STOP", with: "STAR"))
            #expect(tampered.status == 403)
            let still = try await database.run(["optin", "status", "447700900001", "--format", "csv"])
            #expect(still.standardOutput.contains(",opted_in,"), "a tampered request changes nothing: \(still.standardOutput)")
            let signed = try await LoopbackHTTP.request(
                port: port, method: "POST", path: "/v1/webhooks/twilio/sms",
                headers: twilioHeaders.merging(["X-Twilio-Signature": signature]) { $1 }, body: form)
            #expect(signed.status == 200 && signed.body.contains("<Response/>"), "\(signed.status) \(signed.body)")
            let after = try await database.run(["optin", "status", "447700900001", "--format", "csv"])
            #expect(after.standardOutput.contains(",opted_out,"), "\(after.standardOutput)")

            kill(process.processIdentifier, SIGTERM)
            #expect(await exited.status() == 0)
        }
    }

    /// Ann's password reset over HTTP, the code read from the file gateway; returns the code.
    private func resetPassword(port: Int, headers: [String: String], phone: String) async throws -> String {
        let started = try await LoopbackHTTP.request(
            port: port, method: "POST", path: "/v1/password-resets", headers: headers,
            body: #"{"email":"ann@example.com","method":"sms"}"#)
        #expect(started.status == 202, "\(started.body)")
        let requestID = try #require(
            (try JSONSerialization.jsonObject(with: Data(started.body.utf8)) as? [String: Any])?["request_id"] as? String)
        let code = try await deliveredCode(phone: phone, after: 0)
        let verified = try await LoopbackHTTP.request(
            port: port, method: "POST", path: "/v1/password-resets/\(requestID)/verify", headers: headers,
            body: "{\"code\":\"\(code)\"}")
        #expect(verified.body.contains("\"approved\""), "\(verified.body)")
        let completed = try await LoopbackHTTP.request(
            port: port, method: "POST", path: "/v1/password-resets/\(requestID)/complete", headers: headers,
            body: #"{"password":"Tulip-Harbour-7"}"#)
        #expect(completed.status == 200, "\(completed.body)")
        return code
    }

    /// The code in the (`after` + 1)th message the server's dispatcher wrote to the file gateway (the "phone").
    private func deliveredCode(phone: String, after earlier: Int) async throws -> String {
        for _ in 0..<200 {
            let text = (try? String(contentsOfFile: phone, encoding: .utf8)) ?? ""
            let codes = text.split(separator: "\n").compactMap { line in
                line.range(of: #"code is \d+"#, options: .regularExpression).map { String(line[$0].dropFirst("code is ".count)) }
            }
            if codes.count > earlier { return codes[earlier] }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("no code reached the phone")
        throw CancellationError()
    }

    @Test(arguments: TestEngine.allCases) func sigtermDuringAnUploadLetsTheImportFinishThenExits0(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let database = try CLIDatabase(engine, folder: folder)
            #expect(try await database.run(["migrate"]).status == 0)
            let created = try await database.run(["api-keys", "create", "hr", "--role", "admin", "--format", "json"])
            let key = try #require((try JSONSerialization.jsonObject(with: Data(created.standardOutput.utf8)) as? [String: Any])?["key"] as? String)
            let (process, exited, port) = try await database.serve([], folder: folder)
            let rows = (1...500).map { "user\($0)@example.com,4477009\(String(format: "%05d", $0))" }
            let answer = try await LoopbackHTTP.request(
                port: port, method: "POST", path: "/v1/imports", headers: ["Authorization": "Bearer \(key)", "Content-Type": "text/csv"],
                firstPart: "email,mobile\n" + rows[..<250].joined(separator: "\n") + "\n",
                rest: rows[250...].joined(separator: "\n") + "\n"
            ) {
                // The upload is half sent when the server is told to stop. The pause first lets
                // the server read the head: a connection it has not yet read from is idle, and
                // closing idle connections at shutdown is right.
                try? await Task.sleep(for: .milliseconds(300))
                kill(process.processIdentifier, SIGTERM)
                try? await Task.sleep(for: .milliseconds(500))
            }
            #expect(answer.status == 200, "\(answer.status) \(answer.body)")
            #expect(answer.body.contains("\"created\":500"), "\(answer.body)")
            #expect(await exited.status() == 0)
            let listed = try await database.run(["users", "list", "--format", "csv"])
            #expect(listed.standardOutput.contains("user500@example.com"))
        }
    }

    @Test func aTrustedProxyThatIsNotAnAddressIsAUsageError() async throws {
        let result = try await LifelineProcess.run(["serve", "--trusted-proxy", "10.0.0.0/33"])
        #expect(result.status == 64 && result.standardError.contains("--trusted-proxy"))
        let limit = try await LifelineProcess.run(["serve", "--email-limit", "0"])
        #expect(limit.status == 64 && limit.standardError.contains("--email-limit"))
    }

    @Test func aDatabaseThatNeedsMigratingIsAStartUpErrorNamingTheCommand() async throws {
        try await withTemporaryDirectory { folder in
            _ = FileManager.default.createFile(atPath: folder + "/new.db", contents: nil)
            let result = try await LifelineProcess.run(["--database", folder + "/new.db", "serve", "--listen", "127.0.0.1:0"])
            #expect(result.status == 78, "\(result.status): \(result.standardError)")
            #expect(result.standardError.contains("lifeline migrate"))
        }
    }
}
