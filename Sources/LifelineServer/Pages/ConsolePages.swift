import Hummingbird
import LifelineService

/// The console's routes, each behind its role: a visitor not signed in is sent to sign in, an
/// operator on an admin page is refused, and every form's CSRF token is checked first.
struct ConsoleRouter {
    let group: RouterGroup<LifelineRequestContext>
    let site: PageSite

    typealias PageHandler = @Sendable (Request, PageVisit, WebSession, LifelineRequestContext) async throws -> Response
    typealias FormHandler = @Sendable (PageForm, PageVisit, WebSession, LifelineRequestContext) async throws -> Response
    typealias UploadHandler = @Sendable (MultipartUpload, PageVisit, WebSession, LifelineRequestContext) async throws -> Response

    func get(_ path: RouterPath, role: ConsoleRole, _ handler: @escaping PageHandler) {
        let site = site
        group.get(path) { request, context in
            let visit = try await PageVisit.begin(request, area: .console, site: site)
            guard let session = try visit.console(role) else { return visit.redirect(visit.signInPath) }
            return try await handler(request, visit, session, context)
        }
    }

    func post(_ path: RouterPath, role: ConsoleRole, _ handler: @escaping FormHandler) {
        submit(path, role: role, read: { try await PageForm.read($0) }, form: { $0 }, handler)
    }

    /// A form with a file (`multipart/form-data`), the only kind that takes one: the file
    /// streams to a private spool.
    func upload(_ path: RouterPath, role: ConsoleRole, _ handler: @escaping UploadHandler) {
        submit(path, role: role, read: { try await MultipartUpload.receive($0) }, form: \.form, handler)
    }

    /// A posted form: who is asking is settled before a byte of the body is read, and the CSRF
    /// token is checked before the handler sees any of it.
    private func submit<Body: Sendable>(
        _ path: RouterPath, role: ConsoleRole, read: @escaping @Sendable (Request) async throws -> Body,
        form: @escaping @Sendable (Body) -> PageForm,
        _ handler: @escaping @Sendable (Body, PageVisit, WebSession, LifelineRequestContext) async throws -> Response
    ) {
        let site = site
        group.post(path) { request, context in
            let visit = try await PageVisit.begin(request, area: .console, site: site)
            guard let session = try visit.console(role) else { return visit.redirect(visit.signInPath) }
            let body = try await read(request)
            try visit.check(form(body))
            return try await handler(body, visit, session, context)
        }
    }
}

/// The console's home: what there is to do, by role.
struct ConsoleHomePage {
    let site: PageSite

    func add(to console: ConsoleRouter) {
        let environment = site.environment
        let database = site.database
        console.get("", role: .operator) { _, visit, session, _ in
            let onCall = try await database.read { try ConsoleAccounts(environment).isOnCall(email: session.email) }
            return visit.page(ConsoleHomeView(onCall: onCall), title: "Administration console")
        }
    }
}

/// The console's home (the layout says whether its visitor is an admin), with the visitor's
/// own on-call switch.
struct ConsoleHomeView: PageView {
    static let template = "console-home"
    let onCall: Bool
}
