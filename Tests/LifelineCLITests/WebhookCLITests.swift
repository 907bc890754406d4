import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

/// `outbox dispatch --gateway webhook` through the built binary, against a scripted HTTP server
/// on 127.0.0.1.
struct WebhookCLITests {
    private let secret = "a-test-secret-of-32-bytes-length"

    /// A migrated directory with one user whose code request has queued one sealed SMS.
    private func queuedCode(_ folder: String) async throws -> [String] {
        let database = ["--database", folder + "/lifeline.db"]
        try Data("email,name,mobile\nann@example.com,Ann,447700900001\n".utf8).write(to: URL(fileURLWithPath: folder + "/staff.csv"))
        for arguments in [
            ["migrate"], ["import", "users", folder + "/staff.csv"], ["sms", "attribute", "set", "mobile"],
            ["codes", "request", "ann@example.com", "--purpose", "two_step", "--request-id", "w-1"],
        ] {
            let result = try await LifelineProcess.run(database + arguments)
            #expect(result.status == 0, "\(arguments): \(result.standardError)")
        }
        return database
    }

    @Test func dispatchPostsInProcessAndNothingIsClaimedWhenItIsNotConfigured() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await queuedCode(folder)
            let dispatch = database + ["outbox", "dispatch", "--gateway", "webhook", "--format", "json"]

            let unconfigured = try await LifelineProcess.run(dispatch, environment: ["LIFELINE_WEBHOOK_URL": nil])
            #expect(unconfigured.status == 78)
            #expect(unconfigured.standardError.contains("LIFELINE_WEBHOOK_URL"))

            let server = try ScriptedHTTPServer(script: [.init(status: 200, body: "{\"id\":\"prov-7\"}")])
            defer { server.stop() }
            let sent = try await LifelineProcess.run(
                dispatch, environment: ["LIFELINE_WEBHOOK_URL": server.url, "LIFELINE_WEBHOOK_SECRET": secret])
            #expect(sent.status == 0, "\(sent.standardError)")
            #expect(sent.standardOutput.hasPrefix("{\"claimed\": 1, \"sent\": 1, \"suppressed\": 0, \"retried\": 0, \"failed\": 0,"))

            let requests = server.received
            try #require(requests.count == 1)
            #expect(requests[0].method == "POST")
            #expect(requests[0].headers["x-lifeline-signature"]?.isEmpty == false)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(requests[0].body)) as? [String: Any])
            #expect(body["to"] as? String == "447700900001")
            // The gateway received the opened body: the phone gets its code.
            #expect((body["body"] as? String)?.contains("code is ") == true)

            let sentList = try await LifelineProcess.run(database + ["outbox", "list", "--status", "sent", "--format", "csv"])
            #expect(sentList.standardOutput.contains(",447700900001,"), "\(sentList.standardOutput)")
        }
    }

    @Test func aBinaryCopiedAloneStillPostsThroughTheWebhook() async throws {
        try await withTemporaryDirectory { folder in
            let alone = folder + "/lifeline"
            try FileManager.default.copyItem(atPath: LifelineProcess.builtBinary, toPath: alone)
            let database = try await queuedCode(folder)
            let server = try ScriptedHTTPServer(script: [.init(status: 200, body: "{}")])
            defer { server.stop() }
            let result = try await LifelineProcess.run(
                database + ["outbox", "dispatch", "--gateway", "webhook", "--format", "csv"], executable: alone,
                environment: ["LIFELINE_WEBHOOK_URL": server.url, "LIFELINE_WEBHOOK_SECRET": secret])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput.contains("\n1,1,0,0,0,"), "\(result.standardOutput)")
            #expect(server.received.count == 1)
        }
    }

    @Test func dispatchSendsThroughTwilioConfiguredFromTheEnvironment() async throws {
        try await withTemporaryDirectory { folder in
            let database = try await queuedCode(folder)
            let dispatch = database + ["outbox", "dispatch", "--gateway", "twilio", "--format", "csv"]
            let unconfigured = try await LifelineProcess.run(dispatch, environment: ["LIFELINE_TWILIO_ACCOUNT_SID": nil])
            #expect(unconfigured.status == 78 && unconfigured.standardError.contains("LIFELINE_TWILIO_ACCOUNT_SID"))

            let server = try ScriptedHTTPServer(script: [.init(status: 201, body: #"{"sid":"SM9"}"#)])
            defer { server.stop() }
            let account = "AC" + String(repeating: "7", count: 32)
            let sent = try await LifelineProcess.run(
                dispatch,
                environment: [
                    "LIFELINE_TWILIO_ACCOUNT_SID": account, "LIFELINE_TWILIO_AUTH_TOKEN": "token",
                    "LIFELINE_TWILIO_FROM": "+15005550006", "LIFELINE_TWILIO_API_BASE": "http://127.0.0.1:\(server.port)",
                ])
            #expect(sent.status == 0 && sent.standardOutput.contains("\n1,1,0,0,0,"), "\(sent.standardError)")
            let form = String(decoding: try #require(server.received.first).body, as: UTF8.self)
            #expect(form.hasPrefix("To=%2B447700900001&Body=Your%20") && form.contains("code%20is%20"), "the phone gets its code")
        }
    }
}
