import FoundationEssentials
import Hummingbird
import LifelineService

/// One request to a page: who is visiting (the cookie and the session it opens), the CSRF
/// token their forms carry, and the answer (a page or a redirect), with the cookie set when it
/// changed.
///
/// Each area (portal, console) has one cookie, scoped to its path. It holds either a session
/// token or, before sign-in, a random visitor token that opens nothing; either way the forms'
/// CSRF token is an HMAC of it, so a form is good only in the browser it was shown in. Signing
/// in replaces the token (no fixation), signing out too.
struct PageVisit {
    let area: WebArea
    let site: PageSite
    private(set) var session: WebSession?
    private var token: String
    private var tokenChanged: Bool
    private let signer: PageSigner

    static func begin(_ request: Request, area: WebArea, site: PageSite) async throws -> PageVisit {
        let signer = try await site.signer()
        let presented = request.cookies[Self.cookieName(area)]?.value
        guard let presented, presented.utf8.count == 64, presented.utf8.allSatisfy({ Self.isHexDigit($0) }) else {
            return PageVisit(area: area, site: site, session: nil, token: site.environment.random.hex(32), tokenChanged: true, signer: signer)
        }
        let environment = site.environment
        let (session, upkeep) = try await site.database.read { try WebSessions(environment).lookUp(token: presented, area: area) }
        if upkeep != .none { try await site.database.write { try WebSessions(environment).keep(token: presented, upkeep) } }
        return PageVisit(area: area, site: site, session: session, token: presented, tokenChanged: false, signer: signer)
    }

    /// The signed-in session, or nil while signing in or signed out.
    var signedIn: WebSession? { session?.stage == .signedIn ? session : nil }

    var csrfToken: String { signer.tag("csrf:\(area.rawValue):\(token)") }

    /// Refuses a form whose CSRF token is missing or not this browser's.
    func check(_ form: PageForm) throws {
        guard let sent = form["csrf"], signer.isValid(tag: sent, for: "csrf:\(area.rawValue):\(token)") else {
            throw PageRefusal.staleForm
        }
    }

    /// Starts a session for `email` at `stage` under a new token, and answers with a redirect to
    /// `path`, where the new session opens (a sign-in step always ends in a redirect).
    mutating func signIn(email: String, stage: WebSessionStage, loginRequestID: String? = nil, then path: String) async throws
        -> Response
    {
        let environment = site.environment
        let (area, previous) = (area, session == nil ? nil : token)
        token = try await site.database.write {
            try WebSessions(environment).begin(
                area: area, email: email, stage: stage, loginRequestID: loginRequestID, replacing: previous)
        }
        tokenChanged = true
        session = nil
        return redirect(path)
    }

    mutating func signOut() async throws {
        if session != nil {
            let (environment, token) = (site.environment, token)
            try await site.database.write { try WebSessions(environment).end(token: token) }
        }
        session = nil
        token = site.environment.random.hex(32)
        tokenChanged = true
    }

    /// A page: `view` in its template, inside the layout every page shares.
    func page(_ view: some PageView, title: String, status: HTTPResponse.Status = .ok) -> Response {
        let context = PageContext(view: view, layout: layout, title: title)
        guard let html = WebFiles.templates.render(context, withTemplate: type(of: view).template) else {
            return finish(Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "missing template \(type(of: view).template)"))))
        }
        if site.checksPageValues, !context.unknownKeys.isEmpty {
            let keys = context.unknownKeys.sorted().joined(separator: ", ")
            let text = "\(type(of: view).template) asks for values \(type(of: view)) does not have: \(keys)"
            return finish(Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: text))))
        }
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        SecurityHeaders.apply(to: &headers)
        return finish(Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html))))
    }

    /// What the layout around every page needs: the area, and the navigation and Sign out of
    /// whoever is signed in.
    var layout: PageLayout {
        PageLayout(area: area, csrf: csrfToken, signedInEmail: signedIn?.email, isAdmin: signedIn?.role?.includes(.admin) == true)
    }

    /// A 303 to `path` (the answer to a form that worked, so a reload does not post it again).
    func redirect(_ path: String) -> Response {
        var headers: HTTPFields = [.location: path, .cacheControl: "no-store"]
        SecurityHeaders.apply(to: &headers)
        return finish(Response(status: .seeOther, headers: headers))
    }

    private func finish(_ response: Response) -> Response {
        guard tokenChanged else { return response }
        var response = response
        response.setCookie(
            Cookie(
                name: Self.cookieName(area), value: token, path: "/\(area.rawValue)", secure: site.secureCookies, httpOnly: true,
                sameSite: .strict))
        return response
    }

    static func cookieName(_ area: WebArea) -> String { "lifeline_\(area.rawValue)" }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
    }
}

/// Why a page refuses a request outright, rather than showing the form again with a message.
enum PageRefusal: Error {
    /// The form's CSRF token is missing or from another browser or session.
    case staleForm
    /// The console page needs a role the account does not have; the refusal is shown in the
    /// layout of the account that asked, with its navigation and Sign out.
    case needsRole(ConsoleRole, PageLayout)
}

/// The values the layout (`header.mustache`) reads, for pages and for refusals alike.
struct PageLayout: Sendable {
    let portal: Bool
    let console: Bool
    let csrf: String
    let signedInEmail: String?
    let isAdmin: Bool

    init(area: WebArea, csrf: String, signedInEmail: String?, isAdmin: Bool) {
        portal = area == .portal
        console = area == .console
        self.csrf = csrf
        self.signedInEmail = signedInEmail
        self.isAdmin = signedInEmail != nil && isAdmin
    }
}

extension PageVisit {
    /// The console session, if signed in with at least `role` (admins may do what operators
    /// may); nil when not signed in, so the caller sends the visitor to sign in.
    func console(_ role: ConsoleRole) throws -> WebSession? {
        guard let session = signedIn else { return nil }
        guard session.role?.includes(role) == true else { throw PageRefusal.needsRole(role, layout) }
        return session
    }

    /// The path to sign in from, in this area.
    var signInPath: String { "/\(area.rawValue)/sign-in" }
}
