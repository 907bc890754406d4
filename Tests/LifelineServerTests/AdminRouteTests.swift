import Foundation
import Hummingbird
import HummingbirdTesting
import LifelineServer
import LifelineService
import LifelineStore
import LifelineTestSupport
import Testing

/// The operator listings (paged by cursor) and the admin routes: imports, the SMS attribute and
/// number report, settings, the password policy and profiles.
struct AdminRouteTests {
    @Test(arguments: TestEngine.allCases) func optInsArePagedByACursorThatSurvivesWritesBetweenPages(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let headers = fixture.headers(.operator)
                let first = try await client.execute(uri: "/v1/optins?limit=1", method: .get, headers: headers)
                #expect(first.status == .ok)
                let items = try #require(first.json["items"] as? [[String: Any]])
                #expect(items.map { $0["email"] as? String } == ["ann@example.com"] && items[0]["state"] as? String == "none")
                let cursor = try #require(first.json["next_cursor"] as? String)
                // Users added on both sides of the cursor: the next page shows only the later one.
                try Data("email,name,mobile\naaron@example.com,Aaron,447700900003\nbea@example.com,Bea,447700900004\n".utf8)
                    .write(to: URL(fileURLWithPath: folder + "/more.csv"))
                _ = try DirectoryImporter(fixture.environment).importUsers(
                    from: .file(path: folder + "/more.csv"), path: "more.csv", options: ImportOptions())
                var emails: [String] = []
                var next: String? = cursor
                while let page = next {
                    let response = try await client.execute(uri: "/v1/optins?limit=1&cursor=\(page)", method: .get, headers: headers)
                    #expect(response.status == .ok)
                    emails += (response.json["items"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }
                    next = response.json["next_cursor"] as? String
                }
                #expect(emails == ["bea@example.com", "bob@example.com"])
                let opted = try await client.execute(uri: "/v1/optins?state=opted_in", method: .get, headers: headers)
                #expect((opted.json["items"] as? [Any])?.isEmpty == true && opted.json["next_cursor"] is NSNull)
                let forged = try await client.execute(uri: "/v1/optins?cursor=bm9wZQ", method: .get, headers: headers)
                #expect(forged.status == .badRequest && forged.json["code"] as? String == "usage")
                let badState = try await client.execute(uri: "/v1/optins?state=maybe", method: .get, headers: headers)
                #expect(badState.status == .badRequest && (badState.json["detail"] as? String)?.contains("opted_in") == true)
                let badLimit = try await client.execute(uri: "/v1/optins?limit=0", method: .get, headers: headers)
                #expect(badLimit.status == .badRequest)
                #expect(try await client.execute(uri: "/v1/optins", method: .get, headers: fixture.headers(.portal)).status == .forbidden)
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func theOutboxIsPagedAndACursorFromAnotherListingIsRefused(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                for email in ["ann@example.com", "bob@example.com"] {
                    let asked = try await client.execute(
                        uri: "/v1/optins", method: .post, headers: fixture.headers(.portal), body: jsonBody(["email": email]))
                    #expect(asked.status == .accepted)
                }
                let headers = fixture.headers(.operator)
                let first = try await client.execute(uri: "/v1/outbox?status=queued&limit=1", method: .get, headers: headers)
                let firstItems = try #require(first.json["items"] as? [[String: Any]])
                #expect(firstItems.count == 1 && firstItems[0]["destination"] as? String == "447700900001")
                #expect(firstItems[0]["status"] as? String == "queued" && firstItems[0]["event_id"] is NSNull)
                let cursor = try #require(first.json["next_cursor"] as? String)
                let second = try await client.execute(uri: "/v1/outbox?status=queued&limit=1&cursor=\(cursor)", method: .get, headers: headers)
                #expect((second.json["items"] as? [[String: Any]])?.first?["destination"] as? String == "447700900002")
                let optInCursor = try await client.execute(uri: "/v1/optins?limit=1", method: .get, headers: headers)
                let foreign = try #require(optInCursor.json["next_cursor"] as? String)
                let refused = try await client.execute(uri: "/v1/outbox?cursor=\(foreign)", method: .get, headers: headers)
                #expect(refused.status == .badRequest)
                let sent = try await client.execute(uri: "/v1/outbox?status=sent", method: .get, headers: headers)
                #expect((sent.json["items"] as? [Any])?.isEmpty == true)
                #expect(try await client.execute(uri: "/v1/outbox?event=x", method: .get, headers: headers).status == .badRequest)
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func anAdminImportsACSVBodyAndARefusedImportListsItsRejections(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let good = ByteBuffer(string: "email,name,mobile\ncy@example.com,Cy,447700900005\nann@example.com,Ann,447700900001\n")
                let dry = try await client.execute(uri: "/v1/imports?dry_run=true", method: .post, headers: fixture.headers(.admin), body: good)
                #expect(dry.status == .ok && dry.json["result"] as? String == "dry_run" && dry.json["created"] as? Int == 1)
                #expect(try DirectoryQueries(fixture.environment).attributes().isEmpty == false)
                let written = try await client.execute(uri: "/v1/imports", method: .post, headers: fixture.headers(.admin), body: good)
                #expect(written.status == .ok && written.json["result"] as? String == "written" && written.json["written"] as? Bool == true)
                #expect(written.json["created"] as? Int == 1 && written.json["unchanged"] as? Int == 1)
                #expect(try DirectoryQueries(fixture.environment).user(email: "cy@example.com").user.email == "cy@example.com")
                let bad = ByteBuffer(string: "email,name\ndee@example.com,Dee\nnot-an-email,X\n")
                let refused = try await client.execute(uri: "/v1/imports", method: .post, headers: fixture.headers(.admin), body: bad)
                #expect(refused.status == .unprocessableContent && refused.headers[.contentType] == "application/problem+json")
                #expect(refused.json["result"] as? String == "refused" && refused.json["rejected"] as? Int == 1)
                let rejection = try #require((refused.json["rejections"] as? [[String: Any]])?.first)
                #expect(rejection["line"] as? Int == 3 && (rejection["reason"] as? String)?.isEmpty == false)
                #expect(throws: (any Error).self) { try DirectoryQueries(fixture.environment).user(email: "dee@example.com") }
                let partial = try await client.execute(
                    uri: "/v1/imports?allow_partial=true", method: .post, headers: fixture.headers(.admin), body: bad)
                #expect(partial.status == .ok && partial.json["created"] as? Int == 1 && partial.json["rejected"] as? Int == 1)
                let notCSV = try await client.execute(
                    uri: "/v1/imports", method: .post, headers: fixture.headers(.admin), body: ByteBuffer(bytes: [0x50, 0x4B, 3, 4, 0, 0]))
                #expect(notCSV.status == .unprocessableContent)
                let operatorTry = try await client.execute(uri: "/v1/imports", method: .post, headers: fixture.headers(.operator), body: good)
                #expect(operatorTry.status == .forbidden)
                let badFlag = try await client.execute(uri: "/v1/imports?dry_run=perhaps", method: .post, headers: fixture.headers(.admin), body: good)
                #expect(badFlag.status == .badRequest)
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func anAdminChoosesTheSMSAttributeAndFixesNumbers(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let headers = fixture.headers(.admin)
                let csv = ByteBuffer(string: "email,name,mobile,desk\ncy@example.com,Cy,+44 7700 900005,x\ndee@example.com,Dee,12,y\n")
                #expect(try await client.execute(uri: "/v1/imports", method: .post, headers: headers, body: csv).status == .ok)
                let attributes = try await client.execute(uri: "/v1/attributes", method: .get, headers: headers)
                let names = (attributes.json["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                #expect(Set(names).isSuperset(of: ["mobile", "desk"]))
                let shown = try await client.execute(uri: "/v1/sms/attribute", method: .get, headers: headers)
                #expect(shown.json["attribute"] as? String == "mobile" && shown.json["users_with_value"] as? Int == 4)
                let unknown = try await client.execute(
                    uri: "/v1/sms/attribute", method: .put, headers: headers, body: jsonBody(["name": "pager"]))
                #expect(unknown.status == .unprocessableContent && (unknown.json["detail"] as? String)?.contains("desk") == true)
                let invalid = try await client.execute(uri: "/v1/sms/numbers?status=invalid", method: .get, headers: headers)
                let summary = try #require(invalid.json["summary"] as? [String: Any])
                #expect(summary["users"] as? Int == 4 && summary["valid"] as? Int == 2 && summary["deliverable"] as? Int == 1)
                #expect(summary["fixable"] as? Int == 0, "+44 7700 900005 names its country: it is sent to as it is")
                let rows = try #require(invalid.json["items"] as? [[String: Any]])
                #expect(rows.map { $0["email"] as? String } == ["dee@example.com"] && invalid.json["truncated"] as? Bool == false)
                let fixed = try await client.execute(uri: "/v1/sms/numbers/fix", method: .post, headers: headers)
                let change = try #require((fixed.json["fixed"] as? [[String: Any]])?.first)
                #expect(change["email"] as? String == "cy@example.com" && change["after"] as? String == "447700900005")
                let after = try await client.execute(uri: "/v1/sms/numbers?status=deliverable", method: .get, headers: headers)
                #expect(after.json["matched"] as? Int == 0)

                // With a default country, a national number (here in a mapped column) is sent to.
                let country = try await client.execute(
                    uri: "/v1/settings/sms.default_country", method: .put, headers: headers, body: jsonBody(["value": "44"]))
                #expect(country.status == .ok && country.json["value"] as? String == "GB")
                let national = try await client.execute(
                    uri: "/v1/imports?map=Handy%3Dmobile", method: .post, headers: headers,
                    body: ByteBuffer(string: "email,Handy\ncy@example.com,07700 900006\n"))
                #expect(national.status == .ok && national.json["numbers_lost"] as? Int == 0)
                let deliverable = try await client.execute(uri: "/v1/sms/numbers?status=deliverable", method: .get, headers: headers)
                #expect((deliverable.json["items"] as? [[String: Any]])?.first?["detail"] as? String == "deliverable; not in long format: 447700900006")
                let lost = try await client.execute(
                    uri: "/v1/imports?map=Handy%3Dmobile", method: .post, headers: headers,
                    body: ByteBuffer(string: "email,Handy\ncy@example.com,call me\n"))
                let warnings = try #require(lost.json["warnings"] as? [[String: Any]])
                #expect(lost.json["numbers_lost"] as? Int == 1 && warnings.map { $0["code"] as? String } == ["numbers_lost", "numbers_undeliverable"])
                let badMap = try await client.execute(
                    uri: "/v1/imports?map=Handy", method: .post, headers: headers, body: ByteBuffer(string: "email\ncy@example.com\n"))
                #expect(badMap.status == .badRequest && (badMap.json["detail"] as? String)?.contains("HEADER=WHAT") == true)
                let unset = try await client.execute(uri: "/v1/settings/sms.default_country", method: .delete, headers: headers)
                #expect(unset.status == .ok && unset.json["value"] is NSNull)
                let chosen = try await client.execute(
                    uri: "/v1/sms/attribute", method: .put, headers: headers, body: jsonBody(["name": "desk"]))
                #expect(chosen.status == .ok && chosen.json["attribute"] as? String == "desk")
                let operatorTry = try await client.execute(uri: "/v1/sms/numbers", method: .get, headers: fixture.headers(.operator))
                #expect(operatorTry.status == .forbidden)
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func anAdminChangesSettingsThePolicyAndProfiles(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let headers = fixture.headers(.admin)
                let set = try await client.execute(
                    uri: "/v1/settings/codes.length", method: .put, headers: headers, body: jsonBody(["value": "8"]))
                #expect(set.status == .ok && set.json["value"] as? String == "8")
                let refused = try await client.execute(
                    uri: "/v1/settings/codes.length", method: .put, headers: headers, body: jsonBody(["value": "99"]))
                #expect(refused.status == .badRequest && (refused.json["detail"] as? String)?.contains("6 to 10") == true)
                let listed = try await client.execute(uri: "/v1/settings", method: .get, headers: headers)
                let length = (listed.json["items"] as? [[String: Any]])?.first { $0["key"] as? String == "codes.length" }
                #expect(length?["value"] as? String == "8" && length?["is_default"] as? Bool == false)
                let policy = try await client.execute(
                    uri: "/v1/password-policy", method: .put, headers: headers,
                    body: ByteBuffer(string: #"{"min_length":12}"#))
                #expect(policy.status == .ok && policy.json["min_length"] as? Int == 12 && policy.json["character_classes"] as? Int == 3)
                let empty = try await client.execute(uri: "/v1/password-policy", method: .put, headers: headers, body: ByteBuffer(string: "{}"))
                #expect(empty.status == .badRequest)
                let created = try await client.execute(
                    uri: "/v1/profiles", method: .post, headers: headers,
                    body: jsonBody(["name": "staff", "reset_options": "sms", "two_step": "off"]))
                #expect(created.status == .created && created.json["reset_options"] as? String == "sms")
                let patched = try await client.execute(
                    uri: "/v1/profiles/staff", method: .patch, headers: headers, body: jsonBody(["two_step": "sms"]))
                #expect(patched.json["two_step"] as? String == "sms" && patched.json["reset_options"] as? String == "sms")
                let teams = try await client.execute(
                    uri: "/v1/imports", method: .post, headers: headers, body: ByteBuffer(string: "email,groups\nann@example.com,ops\n"))
                #expect(teams.status == .ok)
                let assigned = try await client.execute(
                    uri: "/v1/profiles/staff/assignments", method: .post, headers: headers,
                    body: ByteBuffer(string: #"{"group":"ops","priority":10}"#))
                #expect(assigned.status == .ok)
                #expect((assigned.json["assignments"] as? [[String: Any]])?.first?["group"] as? String == "ops")
                let badKind = try await client.execute(
                    uri: "/v1/profiles/staff", method: .patch, headers: headers, body: jsonBody(["two_step": "carrier-pigeon"]))
                #expect(badKind.status == .badRequest)
                let missing = try await client.execute(uri: "/v1/profiles/nobody", method: .get, headers: headers)
                #expect(missing.status == .notFound)
                #expect(try await client.execute(uri: "/v1/settings", method: .get, headers: fixture.headers(.operator)).status == .forbidden)
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func anOperatorRecordsConsentWithEvidenceAndReadsTheLedger(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let headers = fixture.headers(.operator)
                let recorded = try await client.execute(
                    uri: "/v1/optins/ann@example.com/decisions", method: .post, headers: headers,
                    body: jsonBody(["state": "opted_in", "evidence": "signed form 17"]))
                #expect(recorded.status == .created && recorded.json["state"] as? String == "opted_in", "\(recorded.text)")
                let out = try await client.execute(
                    uri: "/v1/optins/ann@example.com/decisions", method: .post, headers: headers,
                    body: jsonBody(["state": "opted_out", "evidence": "asked by phone, ticket 42"]))
                #expect(out.json["state"] as? String == "opted_out")
                let noEvidence = try await client.execute(
                    uri: "/v1/optins/ann@example.com/decisions", method: .post, headers: headers,
                    body: jsonBody(["state": "opted_in", "evidence": " "]))
                #expect(noEvidence.status == .badRequest && !(noEvidence.json["detail"] as? String ?? "").contains("--"))
                let history = try await client.execute(uri: "/v1/optins/447700900001/history", method: .get, headers: headers)
                let items = try #require(history.json["items"] as? [[String: Any]])
                #expect(items.map { $0["state"] as? String } == ["opted_in", "opted_out"])
                #expect(items.allSatisfy { $0["actor"] as? String == "api:operator" })
                #expect(items.last?["evidence"] as? String == "asked by phone, ticket 42")
                let portal = try await client.execute(
                    uri: "/v1/optins/ann@example.com/decisions", method: .post, headers: fixture.headers(.portal),
                    body: jsonBody(["state": "opted_in", "evidence": "x"]))
                #expect(portal.status == .forbidden)
                let stranger = try await client.execute(uri: "/v1/optins/nobody@example.com/history", method: .get, headers: headers)
                #expect(stranger.status == .notFound)
            }
        }
    }
}
