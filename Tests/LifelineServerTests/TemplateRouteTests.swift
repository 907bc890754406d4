import Foundation
import Hummingbird
import HummingbirdTesting
import LifelineServer
import LifelineService
import LifelineStore
import LifelineTestSupport
import Testing

/// `/v1/templates`: JSON in and out, kept and changed whole, every problem a problem document.
struct TemplateRouteTests {
    static let body = """
        {"name":"Mail down","group":"Staff","start_message":"Email is down ({event}).","end_message":"Email is back.",
         "kind":"unplanned","question":"Reply 1 if you can work, 2 if you need help","answers":["can work","need help"],
         "trigger":{"labels":{"alertname":"MailDown"}},"auto_start_after":15}
        """

    @Test(arguments: TestEngine.allCases) func operatorsKeepChangeAndDeleteTemplates(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try Data("email,groups\nann@example.com,Staff\n".utf8).write(to: URL(fileURLWithPath: folder + "/groups.csv"))
            _ = try DirectoryImporter(fixture.environment).importUsers(from: .file(path: folder + "/groups.csv"), path: "groups.csv", options: ImportOptions())
            try await fixture.application().test(.router) { client in
                let portal = try await client.execute(uri: "/v1/templates", method: .get, headers: fixture.headers(.portal))
                #expect(portal.status == .forbidden)
                let created = try await client.execute(
                    uri: "/v1/templates", method: .post, headers: fixture.headers(.operator), body: ByteBuffer(string: Self.body))
                #expect(created.status == .created, "\(created.text)")
                #expect(created.json["answers"] as? [String] == ["can work", "need help"] && created.json["auto_start_after"] as? Int == 15)
                #expect((created.json["trigger"] as? [String: Any])?["labels"] as? [String: String] == ["alertname": "MailDown"])
                let again = try await client.execute(
                    uri: "/v1/templates", method: .post, headers: fixture.headers(.operator), body: ByteBuffer(string: Self.body))
                #expect(again.status == .badRequest && again.headers[.contentType] == "application/problem+json")

                let bad = try await client.execute(
                    uri: "/v1/templates", method: .post, headers: fixture.headers(.operator),
                    body: ByteBuffer(string: #"{"name":"Other","group":"Staff","start_message":"{oops}","end_message":"x","answers":["one"]}"#))
                #expect(bad.status == .unprocessableContent && (bad.json["detail"] as? String)?.contains("{oops}") == true)

                let replaced = try await client.execute(
                    uri: "/v1/templates/MAIL%20DOWN", method: .put, headers: fixture.headers(.operator),
                    body: ByteBuffer(string: #"{"name":"Mail down","group":"Staff","start_message":"Email is down.","end_message":"Back."}"#))
                #expect(replaced.status == .ok && replaced.json["question"] is NSNull && (replaced.json["answers"] as? [String])?.isEmpty == true)
                let listed = try await client.execute(uri: "/v1/templates", method: .get, headers: fixture.headers(.operator))
                #expect((listed.json["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Mail down"])
                #expect(try await client.execute(uri: "/v1/templates/Mail%20down", method: .delete, headers: fixture.headers(.operator)).status == .noContent)
                let gone = try await client.execute(uri: "/v1/templates/Mail%20down", method: .get, headers: fixture.headers(.operator))
                #expect(gone.status == .notFound && gone.json["code"] as? String == "not_found")
            }
        }
    }
}
