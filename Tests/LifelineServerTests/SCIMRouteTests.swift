import Foundation
import Hummingbird
import HummingbirdTesting
import LifelineServer
import LifelineService
import LifelineStore
import LifelineTestSupport
import Testing

/// SCIM 2.0 at /scim/v2, through the router, with the payloads identity providers really send.
struct SCIMRouteTests {
    static let userSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
    static let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    static let patchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

    /// Entra ID's user creation, as its provisioning service sends it (user principal name as
    /// userName, the work address, the mobile spaced, the enterprise extension).
    static func entraUser(_ principal: String, email: String, mobile: String) -> String {
        """
        {"schemas":["\(userSchema)","\(enterprise)"],
         "externalId":"\(principal.prefix(while: { $0 != "@" }))","userName":"\(principal)","active":true,
         "displayName":"Jo Bloggs","name":{"formatted":"Jo Bloggs","familyName":"Bloggs","givenName":"Jo"},
         "emails":[{"primary":true,"type":"work","value":"\(email)"}],
         "phoneNumbers":[{"type":"mobile","value":"\(mobile)"},{"type":"work","value":"+44 20 7946 0000"}],
         "title":"Engineer",
         "\(enterprise)":{"department":"Finance","employeeNumber":"E123"}}
        """
    }

    static func patch(_ operations: String) -> String {
        #"{"schemas":["\#(patchSchema)"],"Operations":[\#(operations)]}"#
    }

    /// A SCIM request under the provisioning key (or `role`'s).
    static func scim(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil,
        fixture: ServerFixture, role: APIKeyRole? = .provisioning, headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = fixture.headers(role)
        headers[.contentType] = "application/scim+json"
        for field in extra { headers[field.name] = field.value }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    static func ledgerRows(_ fixture: ServerFixture) throws -> Int64 {
        try fixture.connection().queryFirst("SELECT count(*) FROM consent_ledger") { $0.int64(at: 0) } ?? 0
    }

    static func preview(_ fixture: ServerFixture, event: Int64) throws -> EventPreview {
        try EventService(fixture.environment).preview(id: event)
    }

    @Test(arguments: TestEngine.allCases) func onlyAProvisioningKeyReachesSCIMAndItReachesNothingElse(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let config = try await Self.scim(client, .get, "/scim/v2/ServiceProviderConfig", fixture: fixture)
                #expect(config.status == .ok && config.headers[.contentType] == "application/scim+json")
                #expect((config.json["bulk"] as? [String: Any])?["supported"] as? Bool == false)
                #expect((config.json["patch"] as? [String: Any])?["supported"] as? Bool == true)
                for role in [APIKeyRole.admin, .operator, .portal] {
                    let refused = try await Self.scim(client, .get, "/scim/v2/Users", fixture: fixture, role: role)
                    #expect(refused.status == .forbidden && refused.headers[.contentType] == "application/scim+json")
                    #expect(refused.json["schemas"] as? [String] == ["urn:ietf:params:scim:api:messages:2.0:Error"])
                    #expect(refused.json["status"] as? String == "403")
                }
                let anonymous = try await Self.scim(client, .get, "/scim/v2/Users", fixture: fixture, role: nil)
                #expect(anonymous.status == .unauthorized && anonymous.json["status"] as? String == "401")
                for uri in ["/v1/optins", "/v1/events", "/v1/users/ann@example.com"] {
                    let outside = try await client.execute(uri: uri, method: .get, headers: fixture.headers(.provisioning))
                    #expect(outside.status == .forbidden, "\(uri)")
                }
                let bulk = try await Self.scim(client, .post, "/scim/v2/Bulk", "{}", fixture: fixture)
                #expect(bulk.status == .notImplemented)
                let schemas = try await Self.scim(client, .get, "/scim/v2/Schemas", fixture: fixture)
                let ids = (schemas.json["Resources"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
                #expect(Set(ids) == [Self.userSchema, Self.enterprise, "urn:ietf:params:scim:schemas:core:2.0:Group"])
            }
        }
    }

    /// Entra ID's whole life of a user: created with a spaced E.164 mobile, added to a group by
    /// PATCH, deactivated with a string "False", re-activated, given a new mobile through a
    /// value filter, removed from the group, then deleted.
    @Test(arguments: TestEngine.allCases) func entraIDsPayloadsRunAUsersWholeLife(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            let directory = DirectoryQueries(fixture.environment)
            try await fixture.application().test(.router) { client in
                let created = try await Self.scim(
                    client, .post, "/scim/v2/Users", Self.entraUser("jo.bloggs@corp.example", email: "jo@example.com", mobile: "+44 7700 900123"),
                    fixture: fixture)
                #expect(created.status == .created && created.headers[.contentType] == "application/scim+json")
                let id = try #require(created.json["id"] as? String)
                #expect(created.headers[.location]?.hasSuffix("/scim/v2/Users/\(id)") == true)
                #expect(created.headers[.eTag]?.hasPrefix("W/\"") == true)
                let meta = try #require(created.json["meta"] as? [String: Any])
                #expect(meta["resourceType"] as? String == "User" && meta["created"] != nil && meta["lastModified"] != nil)
                #expect(meta["version"] as? String == created.headers[.eTag])
                #expect(created.json["userName"] as? String == "jo.bloggs@corp.example")
                #expect(created.json["externalId"] as? String == "jo.bloggs")

                var detail = try directory.user(email: "jo@example.com")
                #expect(detail.user.status == .active && detail.user.displayName == "Jo Bloggs")
                #expect(detail.smsVerdict == .deliverable("447700900123") && detail.smsNumber == "447700900123")
                #expect(detail.attributes.contains { $0 == ("department", "Finance") })
                #expect(detail.attributes.contains { $0 == ("work_phone", "+44 20 7946 0000") })

                // Consent is given the usual way; provisioning never writes the ledger.
                _ = try ConsentService(fixture.environment).recordAdminDecision(
                    email: "jo@example.com", state: .optedIn, evidence: "signed form", actor: "admin")
                let ledger = try Self.ledgerRows(fixture)

                let group = try await Self.scim(
                    client, .post, "/scim/v2/Groups",
                    #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"8a1c","displayName":"Finance Staff","members":[]}"#,
                    fixture: fixture)
                #expect(group.status == .created)
                let groupID = try #require(group.json["id"] as? String)
                let added = try await Self.scim(
                    client, .patch, "/scim/v2/Groups/\(groupID)",
                    Self.patch(#"{"op":"Add","path":"members","value":[{"value":"\#(id)"}]}"#), fixture: fixture)
                #expect(added.status == .noContent)
                #expect(try directory.user(email: "jo@example.com").groups == ["Finance Staff"])
                let event = try EventService(fixture.environment).create(
                    EventDraft(name: "Mail outage", group: "Finance Staff", startMessage: "Email is down.", endMessage: "Email is back."), by: "test")
                #expect(try Self.preview(fixture, event: event).recipients == 1)

                let deactivated = try await Self.scim(
                    client, .patch, "/scim/v2/Users/\(id)", Self.patch(#"{"op":"Replace","path":"active","value":"False"}"#), fixture: fixture)
                #expect(deactivated.status == .ok && deactivated.json["active"] as? Bool == false)
                detail = try directory.user(email: "jo@example.com")
                #expect(detail.user.status == .disabled && detail.groups == ["Finance Staff"])
                var preview = try Self.preview(fixture, event: event)
                #expect(preview.recipients == 0 && preview.skipped["disabled"] == 1)

                let reactivated = try await Self.scim(
                    client, .patch, "/scim/v2/Users/\(id)", Self.patch(#"{"op":"Replace","path":"active","value":"True"}"#), fixture: fixture)
                #expect(reactivated.json["active"] as? Bool == true)
                #expect(try Self.preview(fixture, event: event).recipients == 1)

                let renumbered = try await Self.scim(
                    client, .patch, "/scim/v2/Users/\(id)",
                    Self.patch(#"{"op":"Replace","path":"phoneNumbers[type eq \"mobile\"].value","value":"+447700900456"}"#), fixture: fixture)
                #expect(renumbered.status == .ok)
                detail = try directory.user(email: "jo@example.com")
                #expect(detail.smsVerdict == .deliverable("447700900456"))
                #expect(detail.attributes.contains { $0 == ("work_phone", "+44 20 7946 0000") })
                // Consent was given for the old number: the new one has none until asked.
                preview = try Self.preview(fixture, event: event)
                #expect(preview.recipients == 0 && preview.skipped["not_opted_in"] == 1)

                let removed = try await Self.scim(
                    client, .patch, "/scim/v2/Groups/\(groupID)",
                    Self.patch(#"{"op":"Remove","path":"members[value eq \"\#(id)\"]"}"#), fixture: fixture)
                #expect(removed.status == .noContent)
                #expect(try directory.user(email: "jo@example.com").groups.isEmpty)

                #expect(try await Self.scim(client, .delete, "/scim/v2/Users/\(id)", fixture: fixture).status == .noContent)
                let gone = try await Self.scim(client, .get, "/scim/v2/Users/\(id)", fixture: fixture)
                #expect(gone.status == .notFound && gone.json["status"] as? String == "404")
                #expect(try directory.user(email: "jo@example.com").user.status == .disabled)
                #expect(try Self.ledgerRows(fixture) == ledger)

                let changes = try ProvisioningStore(connection: fixture.connection()).changes(userID: Int64(id)!, limit: 20)
                #expect(changes.count >= 5 && changes.allSatisfy { $0.actor == "scim:provisioning" && $0.source == .scim })
            }
        }
    }

    /// Okta's dialect: a PATCH with no path whose value holds the attributes, lowercase ops,
    /// and groups' members added and removed by value filter.
    @Test(arguments: TestEngine.allCases) func oktasPayloadsDeactivateAndMoveMembers(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            let directory = DirectoryQueries(fixture.environment)
            try await fixture.application().test(.router) { client in
                let created = try await Self.scim(
                    client, .post, "/scim/v2/Users",
                    """
                    {"schemas":["\(Self.userSchema)"],"userName":"kim@example.com",
                     "name":{"givenName":"Kim","familyName":"Lee"},
                     "emails":[{"primary":true,"value":"kim@example.com","type":"work"}],
                     "phoneNumbers":[{"value":"447700900777","type":"mobile"}],
                     "displayName":"Kim Lee","locale":"en-US","externalId":"00u1ab","groups":[],"password":"ignored","active":true}
                    """, fixture: fixture)
                #expect(created.status == .created)
                let id = try #require(created.json["id"] as? String)
                #expect(created.json["password"] == nil)
                _ = try ConsentService(fixture.environment).recordAdminDecision(
                    email: "kim@example.com", state: .optedIn, evidence: "signed form", actor: "admin")
                let ledger = try Self.ledgerRows(fixture)

                // Okta looks the user up before creating: by userName, any case.
                let found = try await Self.scim(
                    client, .get, "/scim/v2/Users?filter=userName%20eq%20%22KIM@example.com%22&startIndex=1&count=100", fixture: fixture)
                #expect(found.json["totalResults"] as? Int == 1)

                let group = try await Self.scim(
                    client, .post, "/scim/v2/Groups", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Night Shift","members":[]}"#,
                    fixture: fixture)
                let groupID = try #require(group.json["id"] as? String)
                let add = try await Self.scim(
                    client, .patch, "/scim/v2/Groups/\(groupID)",
                    Self.patch(#"{"op":"add","path":"members","value":[{"value":"\#(id)","display":"kim@example.com"}]}"#), fixture: fixture)
                #expect(add.status == .noContent)
                let event = try EventService(fixture.environment).create(
                    EventDraft(name: "Mail outage", group: "Night Shift", startMessage: "Email is down.", endMessage: "Email is back."), by: "test")
                #expect(try Self.preview(fixture, event: event).recipients == 1)

                let deactivated = try await Self.scim(
                    client, .patch, "/scim/v2/Users/\(id)", Self.patch(#"{"op":"replace","value":{"active":false}}"#), fixture: fixture)
                #expect(deactivated.status == .ok && deactivated.json["active"] as? Bool == false)
                #expect(try directory.user(email: "kim@example.com").user.status == .disabled)
                #expect(try Self.preview(fixture, event: event).skipped["disabled"] == 1)

                // Okta sends a changed mobile as a whole PUT of the user.
                let put = try await Self.scim(
                    client, .put, "/scim/v2/Users/\(id)",
                    """
                    {"schemas":["\(Self.userSchema)"],"id":"\(id)","userName":"kim@example.com","name":{"givenName":"Kim","familyName":"Lee"},
                     "emails":[{"primary":true,"value":"kim@example.com","type":"work"}],
                     "phoneNumbers":[{"value":"+1 (415) 555-0100","type":"mobile"}],"displayName":"Kim Lee","active":true}
                    """, fixture: fixture)
                #expect(put.status == .ok)
                let detail = try directory.user(email: "kim@example.com")
                #expect(detail.user.status == .active && detail.smsVerdict == .deliverable("14155550100"))
                #expect(detail.groups == ["Night Shift"])

                let remove = try await Self.scim(
                    client, .patch, "/scim/v2/Groups/\(groupID)",
                    Self.patch(#"{"op":"remove","path":"members[value eq \"\#(id)\"]"}"#), fixture: fixture)
                #expect(remove.status == .noContent)
                #expect(try directory.user(email: "kim@example.com").groups.isEmpty)
                #expect(try Self.ledgerRows(fixture) == ledger)
            }
        }
    }

    /// An attribute sent empty or removed clears that attribute alone; one a request does not
    /// mention is left as it was (linkedin/oncall#155's silent wipe is the bug to avoid).
    @Test(arguments: TestEngine.allCases) func anEmptyValueClearsOnlyItsAttributeAndSilenceChangesNothing(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            let directory = DirectoryQueries(fixture.environment)
            try await fixture.application().test(.router) { client in
                let created = try await Self.scim(
                    client, .post, "/scim/v2/Users", Self.entraUser("lee@corp.example", email: "lee@example.com", mobile: "447700900321"),
                    fixture: fixture)
                let id = try #require(created.json["id"] as? String)
                func attributes() throws -> [String: String] {
                    Dictionary(uniqueKeysWithValues: try directory.user(email: "lee@example.com").attributes.map { ($0.name, $0.value) })
                }
                let before = try attributes()
                #expect(before["mobile"] == "447700900321" && before["department"] == "Finance" && before["title"] == "Engineer")

                // A PUT that leaves out the phones and the extension leaves them alone.
                let put = try await Self.scim(
                    client, .put, "/scim/v2/Users/\(id)",
                    #"{"schemas":["\#(Self.userSchema)"],"userName":"lee@corp.example","emails":[{"primary":true,"value":"lee@example.com"}],"active":true}"#,
                    fixture: fixture)
                #expect(put.status == .ok)
                #expect(try attributes() == before)

                // The mobile sent empty clears the mobile, and only it.
                _ = try await Self.scim(
                    client, .patch, "/scim/v2/Users/\(id)",
                    Self.patch(#"{"op":"Replace","path":"phoneNumbers[type eq \"mobile\"].value","value":""}"#), fixture: fixture)
                var after = try attributes()
                #expect(after["mobile"] == nil && after["work_phone"] == before["work_phone"] && after["department"] == "Finance")
                #expect(try directory.user(email: "lee@example.com").smsVerdict == .missing)

                // The department removed clears the department, and only it.
                _ = try await Self.scim(
                    client, .patch, "/scim/v2/Users/\(id)", Self.patch(#"{"op":"remove","path":"\#(Self.enterprise):department"}"#),
                    fixture: fixture)
                after = try attributes()
                #expect(after["department"] == nil && after["employee_number"] == "E123" && after["title"] == "Engineer")

                // A PATCH of the name alone changes the name alone.
                _ = try await Self.scim(
                    client, .patch, "/scim/v2/Users/\(id)", Self.patch(#"{"op":"replace","path":"displayName","value":"Lee Ann"}"#),
                    fixture: fixture)
                #expect(try attributes() == after)
                #expect(try directory.user(email: "lee@example.com").user.displayName == "Lee Ann")
            }
        }
    }

    /// A user imported from a file is the same person when a provider first sends them: taken
    /// over by email, not refused and not duplicated; an imported group is adopted by name.
    @Test(arguments: TestEngine.allCases) func aProviderTakesOverAnImportedUserByEmailAndAGroupByName(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            let imported = try DirectoryQueries(fixture.environment).user(email: "ann@example.com").user.id
            try Data("email,groups\nann@example.com,Staff\n".utf8).write(to: URL(fileURLWithPath: folder + "/groups.csv"))
            _ = try DirectoryImporter(fixture.environment).importUsers(from: .file(path: folder + "/groups.csv"), path: "groups.csv", options: ImportOptions())
            try await fixture.application().test(.router) { client in
                let created = try await Self.scim(
                    client, .post, "/scim/v2/Users",
                    #"{"schemas":["\#(Self.userSchema)"],"userName":"ann@example.com","displayName":"Ann"}"#, fixture: fixture)
                #expect(created.status == .created && created.json["id"] as? String == String(imported), "\(created.text)")
                #expect(try DirectoryQueries(fixture.environment).user(email: "ann@example.com").smsNumber == "447700900001")
                let again = try await Self.scim(
                    client, .post, "/scim/v2/Users", #"{"schemas":["\#(Self.userSchema)"],"userName":"ANN@example.com"}"#, fixture: fixture)
                #expect(again.status == .conflict && again.json["scimType"] as? String == "uniqueness")

                // A group an import made is adopted by name, its members kept until the provider names them.
                let group = try await Self.scim(
                    client, .post, "/scim/v2/Groups", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"STAFF"}"#,
                    fixture: fixture)
                #expect(group.status == .created, "\(group.text)")
                let members = (group.json["members"] as? [[String: Any]])?.compactMap { $0["value"] as? String }
                #expect(members == [String(imported)])
                let twice = try await Self.scim(
                    client, .post, "/scim/v2/Groups", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Staff"}"#,
                    fixture: fixture)
                #expect(twice.status == .conflict)
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func badRequestsAreSCIMErrorsThatChangeNothing(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let noEmail = try await Self.scim(
                    client, .post, "/scim/v2/Users", #"{"schemas":["\#(Self.userSchema)"],"userName":"6f1d0c3e-9b7a-4c1e-8d3a-2b5f7e9a1c4d"}"#,
                    fixture: fixture)
                #expect(noEmail.status == .badRequest && noEmail.json["scimType"] as? String == "invalidValue")
                #expect((noEmail.json["detail"] as? String)?.contains("email") == true)

                let badFilter = try await Self.scim(client, .get, "/scim/v2/Users?filter=userName%20eq", fixture: fixture)
                #expect(badFilter.status == .badRequest && badFilter.json["scimType"] as? String == "invalidFilter")

                let garbled = try await Self.scim(client, .post, "/scim/v2/Users", "{not json", fixture: fixture)
                #expect(garbled.status == .badRequest && garbled.json["scimType"] as? String == "invalidSyntax")

                let created = try await Self.scim(
                    client, .post, "/scim/v2/Users", Self.entraUser("max@corp.example", email: "max@example.com", mobile: "447700900999"),
                    fixture: fixture)
                let id = try #require(created.json["id"] as? String)
                let stale = try await Self.scim(
                    client, .patch, "/scim/v2/Users/\(id)", Self.patch(#"{"op":"replace","path":"displayName","value":"Max"}"#),
                    fixture: fixture, headers: [.ifMatch: #"W/"not-the-version""#])
                #expect(stale.status == .preconditionFailed)
                let badOp = try await Self.scim(
                    client, .patch, "/scim/v2/Users/\(id)", Self.patch(#"{"op":"move","path":"displayName","value":"Max"}"#), fixture: fixture)
                #expect(badOp.status == .badRequest)
                let unchanged = try await Self.scim(client, .get, "/scim/v2/Users/\(id)", fixture: fixture)
                #expect(unchanged.json["displayName"] as? String == "Jo Bloggs")
                #expect(unchanged.headers[.eTag] == created.headers[.eTag])
                #expect(try await Self.scim(client, .get, "/scim/v2/Users/999999", fixture: fixture).status == .notFound)
                #expect(try await Self.scim(client, .get, "/scim/v2/Users/abc", fixture: fixture).status == .notFound)
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func filtersAndPagesFindUsers(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                for (index, name) in ["amy", "abe", "zed"].enumerated() {
                    let created = try await Self.scim(
                        client, .post, "/scim/v2/Users",
                        #"{"schemas":["\#(Self.userSchema)"],"userName":"\#(name)@corp.example","externalId":"x\#(index)","displayName":"\#(name.capitalized) Person","active":\#(name != "zed"),"emails":[{"value":"\#(name)@example.com","primary":true}]}"#,
                        fixture: fixture)
                    #expect(created.status == .created)
                }
                func names(_ filter: String, _ extra: String = "") async throws -> [String] {
                    let query = filter.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? filter
                    let answer = try await Self.scim(client, .get, "/scim/v2/Users?filter=\(query)\(extra)", fixture: fixture)
                    #expect(answer.status == .ok, "\(filter): \(answer.text)")
                    return ((answer.json["Resources"] as? [[String: Any]]) ?? []).compactMap { $0["userName"] as? String }.sorted()
                }
                #expect(try await names(#"userName eq "AMY@corp.example""#) == ["amy@corp.example"])
                #expect(try await names(#"userName sw "a""#) == ["abe@corp.example", "amy@corp.example", "ann@example.com"])
                #expect(try await names(#"displayName co "ed p""#) == ["zed@corp.example"])
                #expect(try await names(#"active eq false"#) == ["zed@corp.example"])
                #expect(try await names(#"externalId eq "x0" or externalId eq "x2""#) == ["amy@corp.example", "zed@corp.example"])
                #expect(try await names(#"userName sw "a" and active eq true and externalId pr"#) == ["abe@corp.example", "amy@corp.example"])
                #expect(try await names(#"emails[value eq "abe@example.com"]"#) == ["abe@corp.example"])
                // The fixture's imported users have no provider's name; userName falls back to the email.
                #expect(try await names(#"userName eq "bob@example.com""#) == ["bob@example.com"])

                let page = try await Self.scim(client, .get, "/scim/v2/Users?startIndex=2&count=2", fixture: fixture)
                #expect(page.json["totalResults"] as? Int == 5 && page.json["startIndex"] as? Int == 2 && page.json["itemsPerPage"] as? Int == 2)
                let projected = try await Self.scim(client, .get, "/scim/v2/Users?count=1&attributes=userName", fixture: fixture)
                let first = try #require((projected.json["Resources"] as? [[String: Any]])?.first)
                #expect(Set(first.keys) == ["id", "schemas", "userName"])
                let searched = try await Self.scim(
                    client, .post, "/scim/v2/Users/.search",
                    #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName sw \"z\"","count":10}"#, fixture: fixture)
                #expect(searched.json["totalResults"] as? Int == 1)
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func aProvisioningKeyOverItsLimitIsAnswered429(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            var configuration = ServerConfiguration.checked
            configuration.provisioningRequestsPerMinute = 2
            try await fixture.application(configuration).test(.router) { client in
                for _ in 0..<2 {
                    #expect(try await Self.scim(client, .get, "/scim/v2/Users", fixture: fixture).status == .ok)
                }
                let limited = try await Self.scim(client, .get, "/scim/v2/Users", fixture: fixture)
                #expect(limited.status == .tooManyRequests && limited.headers[.retryAfter] != nil)
                #expect(limited.json["status"] as? String == "429" && limited.headers[.contentType] == "application/scim+json")
            }
        }
    }
}
