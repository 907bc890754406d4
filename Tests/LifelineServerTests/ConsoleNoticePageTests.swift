import Foundation
import Hummingbird
import HummingbirdTesting
import LifelineService
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineServer

/// The console's side of on-call notices and templates: the texted link leads through sign-in
/// (password, then the SMS code) straight to the draft's confirmation and works once; the
/// on-call switch; dismissing; and starting an event from a template with one confirmation.
struct ConsoleNoticePageTests {
    /// A browser in a test: the console's cookie, kept as the server sets it.
    final class Browser {
        let client: any TestClientProtocol
        var cookie: String?

        init(_ client: any TestClientProtocol) {
            self.client = client
        }

        func get(_ uri: String) async throws -> TestResponse {
            let response = try await client.execute(uri: uri, method: .get, headers: cookie.map { [.cookie: $0] } ?? [:])
            keep(response)
            return response
        }

        func post(_ uri: String, _ fields: [String: String], csrfFrom page: TestResponse) async throws -> TestResponse {
            var fields = fields
            fields["csrf"] = PageTests.csrf(in: page.text)
            let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
            var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            if let cookie { headers[.cookie] = cookie }
            let response = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
            keep(response)
            return response
        }

        private func keep(_ response: TestResponse) {
            if let set = response.headers[.setCookie]?.split(separator: ";").first { cookie = String(set) }
        }
    }

    static func fixture(folder: String, engine: TestEngine) throws -> ServerFixture {
        let fixture = try TriggerRouteTests.fixture(folder: folder, engine: engine)
        try PageTests.setPassword(fixture, "ann@example.com", "Quiet-Harbour-77")
        _ = try ConsoleAccounts(fixture.environment).grant(email: "ann@example.com", role: .operator, onCall: true, actor: "test")
        _ = try ConsentService(fixture.environment).recordAdminDecision(
            email: "bob@example.com", state: .optedIn, evidence: "signed form", actor: "test")
        return fixture
    }

    static var configuration: ServerConfiguration {
        var configuration = ServerConfiguration.checked
        configuration.publicURL = "http://lifeline.test"
        return configuration
    }

    /// Delivers what is queued; the notices' links' tokens, oldest first.
    static func noticeTokens(_ fixture: ServerFixture) async throws -> [String] {
        let path = fixture.folder + "/notices.jsonl"
        _ = try await OutboxDispatcher(fixture.environment).dispatch(through: FileGateway(path: path, clock: SystemClock()))
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "http://lifeline.test/console/notice/") else { return nil }
            return String(line[range.upperBound...].prefix { $0.isNumber || $0.isHexDigit || $0 == "-" })
        }
    }

    @Test(arguments: TestEngine.allCases) func theTextedLinkLeadsThroughSignInToTheConfirmationOnce(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try Self.fixture(folder: folder, engine: engine)
            try await fixture.application(Self.configuration).test(.router) { client in
                let drafted = try await client.execute(
                    uri: "/v1/triggers/alertmanager", method: .post, headers: fixture.headers(.trigger),
                    body: ByteBuffer(string: TriggerRouteTests.alertmanager()))
                #expect(drafted.status == .ok)
                let token = try #require(try await Self.noticeTokens(fixture).first)
                let eventID = try #require(try EventService(fixture.environment).list(state: .draft).first?.id)

                let browser = Browser(client)
                let link = try await browser.get("/console/notice/\(token)")
                #expect(link.status == .seeOther && link.headers[.location] == "/console/sign-in?notice=\(token)")
                let signIn = try await browser.get("/console/sign-in?notice=\(token)")
                #expect(signIn.text.contains("Sign in to follow the on-call link"))
                let password = try await browser.post(
                    "/console/sign-in?notice=\(token)", ["email": "ann@example.com", "password": "Quiet-Harbour-77"], csrfFrom: signIn)
                #expect(password.headers[.location] == "/console/sign-in/code?notice=\(token)")
                let codePage = try await browser.get("/console/sign-in/code?notice=\(token)")
                let code = try #require(try await fixture.deliveredCodes().last)
                let signedIn = try await browser.post("/console/sign-in/code?notice=\(token)", ["code": code], csrfFrom: codePage)
                #expect(signedIn.headers[.location] == "/console/notice/\(token)", "the sign-in ends at the link")
                let followed = try await browser.get("/console/notice/\(token)")
                #expect(followed.headers[.location] == "/console/events/\(eventID)/start", "straight to the confirmation")
                let confirm = try await browser.get("/console/events/\(eventID)/start")
                #expect(confirm.status == .ok && confirm.text.contains("id=\"confirm\""))
                #expect(confirm.text.contains("1 skipped: not opted in"), "the confirmation says who is skipped and why")

                let again = try await browser.get("/console/notice/\(token)")
                #expect(again.status == .ok && again.text.contains("already used") && again.text.contains("console:ann@example.com"))
                let altered = try await browser.get("/console/notice/\(token.dropLast())\(token.hasSuffix("0") ? "1" : "0")")
                #expect(altered.text.contains("not one Lifeline made"))

                // The event page shows the notices and offers the dismissal; dismissing stops them.
                let page = try await browser.get("/console/events/\(eventID)")
                #expect(page.text.contains("1 round of notices sent") && page.text.contains("id=\"dismiss\""))
                let dismissed = try await browser.post("/console/events/\(eventID)/dismiss", [:], csrfFrom: page)
                #expect(dismissed.status == .seeOther)
                let after = try await browser.get("/console/events/\(eventID)")
                #expect(after.text.contains("dismissed") && !after.text.contains("id=\"dismiss\""))
                #expect(after.text.contains("notices dismissed</strong> by console:ann@example.com"))

                // A return address that is not a link's token is ignored: the sign-in goes home.
                let strange = try await browser.get("/console/sign-in?notice=%2F%2Fevil.example")
                #expect(strange.headers[.location] == "/console")
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func theOnCallSwitchAndATemplatesOneConfirmationStart(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try Self.fixture(folder: folder, engine: engine)
            let token = try WebSessions(fixture.environment).begin(area: .console, email: "ann@example.com", stage: .signedIn, replacing: nil)
            try await fixture.application(Self.configuration).test(.router) { client in
                let browser = Browser(client)
                browser.cookie = "lifeline_console=\(token)"
                let home = try await browser.get("/console")
                #expect(home.text.contains("You are on call"))
                let off = try await browser.post("/console/on-call", ["on_call": "off"], csrfFrom: home)
                #expect(off.status == .seeOther)
                #expect(try !ConsoleAccounts(fixture.environment).isOnCall(email: "ann@example.com"))
                #expect(try await browser.get("/console").text.contains("You are not on call"))

                // Templates: the list, a form that shows each problem beside its field, a new one.
                let list = try await browser.get("/console/templates")
                #expect(list.status == .ok && list.text.contains("Mail down") && list.text.contains("alertname=MailDown, severity=critical"))
                let form = try await browser.get("/console/templates/new")
                let refused = try await browser.post(
                    "/console/templates",
                    ["name": "Fire drill", "group": "Staff", "start_message": "Drill {nope}", "end_message": "Over", "question": "Reply 1 if safe",
                     "answers": "safe", "trigger": "not a label", "auto_start_after": "soon"], csrfFrom: form)
                #expect(refused.status == .unprocessableContent)
                for id in ["start-error", "answers-error", "trigger-error", "auto-start-error"] {
                    #expect(refused.text.contains("id=\"\(id)\""), "\(id)")
                }
                #expect(try EventTemplates(fixture.environment).list().count == 2, "nothing stored")
                let created = try await browser.post(
                    "/console/templates",
                    ["name": "Fire drill", "group": "Staff", "start_message": "Drill now", "end_message": "Over", "question": "Reply 1 if safe, 2 if not",
                     "answers": "safe\r\nnot safe", "trigger": "alertname=Fire", "auto_start_after": "15"], csrfFrom: form)
                #expect(created.status == .seeOther)
                let template = try EventTemplates(fixture.environment).show("Fire drill")
                #expect(template.answers == ["safe", "not safe"] && template.triggerLabels == ["alertname": "Fire"] && template.autoStartAfter == 15)
                let edit = try await browser.get("/console/templates/Fire%20drill/edit")
                #expect(edit.text.contains("safe\nnot safe") && edit.text.contains("value=\"15\""))

                // One confirmation: it states who is texted and who is skipped, then starts.
                let confirm = try await browser.get("/console/templates/Fire%20drill/start")
                #expect(confirm.text.contains("text the start message to 1 person in Staff"))
                #expect(confirm.text.contains("1 skipped: not opted in"))
                #expect(confirm.text.contains("Drill now\nReply 1 if safe, 2 if not"))
                let started = try await browser.post("/console/templates/Fire%20drill/start", [:], csrfFrom: confirm)
                let location = try #require(started.headers[.location])
                #expect(location.hasPrefix("/console/events/") && location.hasSuffix("?queued=1"))
                let event = try #require(try EventService(fixture.environment).list(state: .active).first)
                let audit = try EventService(fixture.environment).history(id: event.id).audit
                #expect(audit.map(\.action) == ["created", "started"] && audit[0].detail == "from the template Fire drill")
                #expect(audit.allSatisfy { $0.actor == "console:ann@example.com" })

                let deleted = try await browser.post("/console/templates/Fire%20drill/delete", [:], csrfFrom: edit)
                #expect(deleted.status == .seeOther)
                #expect(try EventTemplates(fixture.environment).list().map(\.name) == ["Mail down", "Without labels"])
            }
        }
    }
}
