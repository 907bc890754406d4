import Foundation
import Hummingbird
import HummingbirdTesting
import LifelineServer
import LifelineService
import LifelineStore
import LifelineTestSupport
import Testing

/// The console's directory sources page: the SCIM attribute map edited as the setting is, the
/// last LDAP sync and the latest provider changes.
struct ConsoleDirectoryPageTests {
    @Test(arguments: TestEngine.allCases) func anAdminSeesTheLastSyncAndTheChangesAndEditsTheMapAsTheSettingIsChecked(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            _ = try ConsoleAccounts(fixture.environment).grant(email: "bob@example.com", role: .admin, actor: "test")
            let token = try WebSessions(fixture.environment).begin(area: .console, email: "bob@example.com", stage: .signedIn, replacing: nil)
            let cookie: HTTPFields = [.cookie: "lifeline_console=\(token)"]
            try await fixture.application().test(.router) { client in
                var page = try await client.execute(uri: "/console/directory", method: .get, headers: cookie)
                #expect(page.status == .ok && page.text.contains("No LDAP sync has run") && page.text.contains("No provider has changed anything yet"))
                #expect(page.text.contains("phoneNumbers[type eq &quot;mobile&quot;].value=mobile") && page.text.contains("(the default)"))

                // A provider's change and a sync's run, as they are recorded.
                var headers = fixture.headers(.provisioning)
                headers[.contentType] = "application/scim+json"
                let created = try await client.execute(
                    uri: "/scim/v2/Users", method: .post, headers: headers,
                    body: ByteBuffer(string: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"kim@example.com"}"#))
                #expect(created.status == .created)
                var run = DirectorySyncRecord(source: .ldap, actor: "serve", startedAt: Date(timeIntervalSince1970: 1_800_000_000), finishedAt: Date(timeIntervalSince1970: 1_800_000_004), outcome: "written")
                run.entries = 120
                run.created = 3
                run.disabled = 2
                run.unchanged = 115
                try LDAPSync(fixture.environment).record(run)
                page = try await client.execute(uri: "/console/directory", method: .get, headers: cookie)
                #expect(page.text.contains("2027-01-15 08:00 UTC, by serve"), "\(page.text)")
                #expect(page.text.contains("120 entries: 3 created, 0 updated, 115 unchanged, 2 disabled, 0 rejected"))
                #expect(page.text.contains("scim:provisioning") && page.text.contains("created kim@example.com"))

                let csrf = try #require(PageTests.csrf(in: page.text))
                func save(_ map: String) async throws -> TestResponse {
                    var form = cookie
                    form[.contentType] = "application/x-www-form-urlencoded"
                    return try await client.execute(
                        uri: "/console/directory/map", method: .post, headers: form,
                        body: ByteBuffer(string: FormEncoding.encode([("csrf", csrf), ("map", map)])))
                }
                let refused = try await save("phoneNumbers[type eq \"mobile\"].value=mobile\nuserName=login")
                #expect(refused.status == .unprocessableContent && refused.text.contains("one of the directory&#39;s own fields"), "\(refused.text)")
                #expect(try SettingsService(fixture.environment).list().first { $0.key == SCIMAttributeMap.key }?.isDefault == true)
                let saved = try await save("phoneNumbers[type eq \"mobile\"].value=cell\r\ntitle=job_title\r\n")
                #expect(saved.status == .seeOther && saved.headers[.location] == "/console/directory?map_saved=1")
                let value = try SettingsService(fixture.environment).list().first { $0.key == SCIMAttributeMap.key }?.value
                #expect(value == #"phoneNumbers[type eq "mobile"].value=cell;title=job_title"#)
            }
        }
    }
}
