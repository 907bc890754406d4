import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineServer
@testable import LifelineService

/// The pages' handlers without a browser: status, headers, the CSP, cookies, CSRF refusal and
/// roles. The browser flows are in Tests/Browser (scripts/browser-tests).
struct PageTests {
    @Test func everyTemplateParses() {
        let names = WebFiles.embeddedFiles.map(\.name).filter { $0.hasSuffix(".mustache") }
        #expect(names.count >= 15)
        for name in names {
            #expect(WebFiles.templates.getTemplate(named: String(name.dropLast(".mustache".count))) != nil, "\(name) does not parse")
        }
    }

    @Test(arguments: TestEngine.allCases) func aPageCarriesTheSecurityHeadersAndAStrictSessionCookie(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let page = try await client.execute(uri: "/portal", method: .get)
                #expect(page.status == .ok)
                #expect(page.headers[.contentType] == "text/html; charset=utf-8")
                #expect(page.headers[.cacheControl] == "no-store")
                let policy = try #require(page.headers[.contentSecurityPolicy])
                #expect(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"))
                #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
                #expect(page.headers[.xContentTypeOptions] == "nosniff")
                #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                let cookie = try #require(page.headers[.setCookie])
                #expect(cookie.hasPrefix("lifeline_portal="))
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/portal"))
                #expect(!cookie.contains("Secure"), "plain HTTP on loopback: a Secure cookie would never come back")
                #expect(!page.text.contains("<script>"), "no inline script")
            }
            var behindTLS = ServerConfiguration.checked
            behindTLS.publicURL = "https://sms.example.org"
            try await fixture.application(behindTLS).test(.router) { client in
                let page = try await client.execute(uri: "/console/sign-in", method: .get)
                #expect(page.headers[.setCookie]?.contains("Secure") == true)
                #expect(page.text.contains("<a href=\"/portal/reset\">Forgot your password, or never set one?</a>"), "a way back in")
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func aFormWithoutItsCSRFTokenIsRefusedAndChangesNothing(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let form = try await client.execute(uri: "/portal/sign-in", method: .get)
                let cookie = try #require(form.headers[.setCookie]?.split(separator: ";").first.map(String.init))
                let token = try #require(Self.csrf(in: form.text))
                func post(_ body: String, cookie: String?) async throws -> TestResponse {
                    var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                    if let cookie { headers[.cookie] = cookie }
                    return try await client.execute(uri: "/portal/sign-in", method: .post, headers: headers, body: ByteBuffer(string: body))
                }
                let missing = try await post("email=ann%40example.com&password=x", cookie: cookie)
                #expect(missing.status == .forbidden && missing.text.contains("This form has expired"))
                #expect(missing.headers[.contentSecurityPolicy] != nil)
                let otherBrowser = try await post("csrf=\(token)&email=ann%40example.com&password=x", cookie: nil)
                #expect(otherBrowser.status == .forbidden)
                let forged = try await post("csrf=\(String(repeating: "0", count: 64))&email=a&password=x", cookie: cookie)
                #expect(forged.status == .forbidden)
                let good = try await post("csrf=\(token)&email=ann%40example.com&password=wrong", cookie: cookie)
                #expect(good.status == .unprocessableContent && good.text.contains("do not match"))
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func theConsoleSendsStrangersToSignInAndRefusesOperatorsAdminPages(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            _ = try ConsoleAccounts(fixture.environment).grant(email: "ann@example.com", role: .operator, actor: "test")
            _ = try ConsoleAccounts(fixture.environment).grant(email: "bob@example.com", role: .admin, actor: "test")
            let sessions = WebSessions(fixture.environment)
            let operatorToken = try sessions.begin(area: .console, email: "ann@example.com", stage: .signedIn, replacing: nil)
            let adminToken = try sessions.begin(area: .console, email: "bob@example.com", stage: .signedIn, replacing: nil)
            let portalToken = try sessions.begin(area: .portal, email: "bob@example.com", stage: .signedIn, replacing: nil)
            try await fixture.application().test(.router) { client in
                func get(_ uri: String, _ cookie: String?) async throws -> TestResponse {
                    try await client.execute(uri: uri, method: .get, headers: cookie.map { [.cookie: $0] } ?? [:])
                }
                let stranger = try await get("/console/events", nil)
                #expect(stranger.status == .seeOther && stranger.headers[.location] == "/console/sign-in")
                let portalSession = try await get("/console/events", "lifeline_console=\(portalToken)")
                #expect(portalSession.status == .seeOther, "a portal session does not open the console")
                for page in ["/console/sms", "/console/import", "/console/sms/fix", "/console/directory"] {
                    let refused = try await get(page, "lifeline_console=\(operatorToken)")
                    #expect(refused.status == .forbidden && refused.text.contains("For admins only"), "\(page)")
                    #expect(refused.text.contains("href=\"/console/events\"") && refused.text.contains("Sign out"), "the refusal keeps the way on")
                    #expect(refused.text.contains("ann@example.com") && !refused.text.contains("href=\"/console/import\""))
                }
                #expect(try await get("/console/events", "lifeline_console=\(operatorToken)").status == .ok)
                #expect(try await get("/console/optins?who=ann%40example.com", "lifeline_console=\(operatorToken)").status == .ok)
                #expect(try await get("/console/sms", "lifeline_console=\(adminToken)").status == .ok)
                try ConsoleAccounts(fixture.environment).revoke(email: "bob@example.com")
                let revoked = try await get("/console/sms", "lifeline_console=\(adminToken)")
                #expect(revoked.status == .seeOther && revoked.headers[.location] == "/console/sign-in", "revoking a role signs its holder out")
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func signingInToTheConsoleAlwaysAsksForAnSMSCodeAndOnlyOfConsoleAccounts(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try Self.setPassword(fixture, "ann@example.com", "Quiet-Harbour-77")
            try Self.setPassword(fixture, "bob@example.com", "Quiet-Harbour-77")
            _ = try ConsoleAccounts(fixture.environment).grant(email: "ann@example.com", role: .operator, actor: "test")
            let accounts = ConsoleAccounts(fixture.environment)
            guard case .secondFactorRequired = try accounts.signIn(email: "ann@example.com", password: "Quiet-Harbour-77") else {
                Issue.record("the console asks for a code even when the profile does not")
                return
            }
            #expect(try accounts.signIn(email: "bob@example.com", password: "Quiet-Harbour-77") == .invalidCredentials)
            #expect(try await fixture.deliveredCodes().count == 1, "no code goes to someone without a console role")
        }
    }

    @Test(arguments: TestEngine.allCases) func signingInReplacesTheVisitorsTokenAndAnIdleSessionEnds(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let clock = MovingClock()
            let fixture = try ServerFixture(folder: folder, engine: engine, clock: clock)
            let sessions = WebSessions(fixture.environment)
            let first = try sessions.begin(area: .portal, email: "ann@example.com", stage: .secondFactor, loginRequestID: "vr-1", replacing: nil)
            let second = try sessions.begin(area: .portal, email: "ann@example.com", stage: .signedIn, replacing: first)
            #expect(first != second)
            #expect(try sessions.session(token: first, area: .portal) == nil, "the token before sign-in opens nothing after it")
            #expect(try sessions.session(token: second, area: .portal)?.stage == .signedIn)
            clock.advance(by: WebSessions.idleLifetime - 60)
            #expect(try sessions.session(token: second, area: .portal) != nil, "a visit moves the idle clock")
            clock.advance(by: WebSessions.idleLifetime - 60)
            #expect(try sessions.session(token: second, area: .portal) != nil)
            clock.advance(by: WebSessions.idleLifetime + 1)
            #expect(try sessions.session(token: second, area: .portal) == nil)
            let stored = try fixture.environment.database.withCurrentConnection { connection in
                try connection.queryFirst("SELECT count(*) FROM web_sessions WHERE token_sha256 = ?", second) { $0.int64(at: 0) }
            }
            #expect(stored == 0, "only the token's hash is stored")
        }
    }

    @Test(arguments: TestEngine.allCases) func aProofOfWorkIsGoodOnceBeforeItExpiresAndOnlyAsSigned(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let clock = MovingClock()
            let fixture = try ServerFixture(folder: folder, engine: engine, clock: clock)
            try SettingsService(fixture.environment).set("captcha.difficulty", to: "8")
            let signer = try PageSigner(fixture.environment)
            let work = ProofOfWork(fixture.environment, signer: signer)
            let challenge = try work.issue()
            #expect(challenge.difficulty == 8)
            let nonce = Self.solve(challenge)
            let wrong = (0...).lazy.map(String.init).first { !Self.solves(challenge.text, $0, bits: 8) }!
            #expect(throws: ProofOfWorkFailure.wrongAnswer) { try work.accept(challenge: challenge.text, nonce: wrong) }
            var tampered = challenge.text.split(separator: ".").map(String.init)
            tampered[3] = "1"
            #expect(throws: ProofOfWorkFailure.forged) { try work.accept(challenge: tampered.joined(separator: "."), nonce: nonce) }
            #expect(throws: ProofOfWorkFailure.missing) { try work.accept(challenge: challenge.text, nonce: "") }
            try work.accept(challenge: challenge.text, nonce: nonce)
            #expect(throws: ProofOfWorkFailure.alreadyUsed) { try work.accept(challenge: challenge.text, nonce: nonce) }
            let late = try work.issue()
            clock.advance(by: ProofOfWork.lifetime + 1)
            #expect(throws: ProofOfWorkFailure.expired) { try work.accept(challenge: late.text, nonce: Self.solve(late)) }
            #expect(try WebSessions(fixture.environment).purge().challenges == 1, "a spent challenge is purged once expired")
        }
    }

    /// The captcha grows harder for a client that keeps asking, and for an email asked for
    /// again and again: an answer to an easier check than the email now calls for is refused.
    @Test(arguments: TestEngine.allCases) func theCaptchaGetsHarderForAClientOrAnEmailThatKeepsAsking(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try SettingsService(fixture.environment).set("captcha.difficulty", to: "8")
            try await fixture.application().test(.router) { client in
                var seen: [Int] = []
                for _ in 0..<(ProofOfWork.freeChallenges + 3) {
                    let page = try await client.execute(uri: "/portal/reset", method: .get)
                    let range = try #require(page.text.range(of: #"data-difficulty="\d+""#, options: .regularExpression))
                    seen.append(Int(page.text[range].dropFirst("data-difficulty=\"".count).dropLast()) ?? 0)
                }
                #expect(seen == Array(repeating: 8, count: ProofOfWork.freeChallenges) + [9, 10, 11])
            }
            let work = ProofOfWork(fixture.environment, signer: try PageSigner(fixture.environment))
            let easy = try work.issue()
            #expect(throws: ProofOfWorkFailure.tooEasy) { try work.accept(challenge: easy.text, nonce: Self.solve(easy), extraBits: 2) }
            let harder = try work.issue(extraBits: 2)
            #expect(harder.difficulty == 10)
            try work.accept(challenge: harder.text, nonce: Self.solve(harder), extraBits: 2)
            #expect(try work.issue(extraBits: 100).difficulty == ProofOfWork.difficultyRange.upperBound)
            #expect(ProofOfWork.extraBits(recentRequests: 1_000) == ProofOfWork.maximumExtraBits)
        }
    }

    @Test(arguments: TestEngine.allCases) func theStaticFilesAreServedWithValidators(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            try await fixture.application().test(.router) { client in
                let css = try await client.execute(uri: "/static/lifeline.css", method: .get)
                #expect(css.status == .ok && css.headers[.contentType] == "text/css; charset=utf-8")
                let etag = try #require(css.headers[.eTag])
                let again = try await client.execute(uri: "/static/lifeline.css", method: .get, headers: [.ifNoneMatch: etag])
                #expect(again.status == .notModified)
                let worker = try await client.execute(uri: "/static/captcha-worker.js", method: .get)
                #expect(worker.headers[.contentType] == "text/javascript; charset=utf-8")
                #expect(try await client.execute(uri: "/static/nothing.js", method: .get).status == .notFound)
                let nowhere = try await client.execute(uri: "/portal/nowhere", method: .get)
                #expect(nowhere.status == .notFound && nowhere.headers[.contentType] == "text/html; charset=utf-8")
                #expect(nowhere.headers[.contentSecurityPolicy] != nil && nowhere.text.contains("There is no such page"))
                let wrongMethod = try await client.execute(uri: "/portal/alerts/subscribe", method: .get)
                #expect(wrongMethod.status == .methodNotAllowed && wrongMethod.headers[.allow] == "POST")
                #expect(wrongMethod.headers[.contentType] == "text/html; charset=utf-8", "a page path's errors are pages")
                let api = try await client.execute(uri: "/v1/nowhere", method: .get)
                #expect(api.headers[.contentType] == "application/problem+json", "the API's 404 stays problem+json")
                let root = try await client.execute(uri: "/", method: .get)
                #expect(root.status == .seeOther && root.headers[.location] == "/portal")
            }
        }
    }

    @Test func formsAreDecodedAsBrowsersEncodeThem() throws {
        let form = PageForm(urlEncoded: Array("email=ann%40example.com&note=two+words&broken=%zz&empty=&bare".utf8))
        #expect(form["email"] == "ann@example.com")
        #expect(form["note"] == "two words")
        #expect(form["broken"] == "%zz")
        #expect(form["empty"] == "" && form["bare"] == "")
    }

    @Test func aNumberIsShownOnlyByItsLastDigits() {
        #expect(MaskedNumber.text("447700900123") == "+••••••••0123")
        #expect(MaskedNumber.text(nil) == "no number")
    }

    // Helpers

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value="[0-9a-f]{64}""#, options: .regularExpression) else { return nil }
        return String(html[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
    }

    static func solves(_ text: String, _ nonce: String, bits: Int) -> Bool {
        ProofOfWork.isSolved(text, nonce: nonce, bits: bits)
    }

    static func solve(_ challenge: ProofOfWorkChallenge) -> String {
        (0...).lazy.map(String.init).first { solves(challenge.text, $0, bits: challenge.difficulty) }!
    }

    static func setPassword(_ fixture: ServerFixture, _ email: String, _ password: String) throws {
        let hash = try fixture.environment.passwordHasher.hash(password, random: SystemRandom())
        try fixture.environment.database.withCurrentConnection { connection in
            let user = try #require(try DirectoryStore(connection: connection).user(email: email))
            try connection.write { try CredentialStore(connection: connection).setPassword(userID: user.id, hash: hash, at: Date()) }
        }
    }
}

extension WebSessions {
    /// What a page visit does, on one thread: ``lookUp(token:area:)``, then its upkeep.
    func session(token: String, area: WebArea) throws -> WebSession? {
        let (session, upkeep) = try lookUp(token: token, area: area)
        try keep(token: token, upkeep)
        return session
    }
}
