import Hummingbird
import LifelineService
import LifelineStore

/// The console's routes, each behind its role: a visitor not signed in is sent to sign in, an
/// operator on an admin page is refused, and every form's CSRF token is checked first.
struct ConsoleRouter {
    let group: RouterGroup<LifelineRequestContext>
    let site: PageSite

    typealias PageHandler = @Sendable (Request, PageVisit, WebSession, LifelineRequestContext) async throws -> Response
    typealias FormHandler = @Sendable (PageForm, PageVisit, WebSession, LifelineRequestContext) async throws -> Response

    func get(_ path: RouterPath, role: ConsoleRole, _ handler: @escaping PageHandler) {
        let site = site
        group.get(path) { request, context in
            let visit = try await PageVisit.begin(request, area: .console, site: site)
            guard let session = try visit.console(role) else { return visit.redirect(visit.signInPath) }
            return try await handler(request, visit, session, context)
        }
    }

    func post(_ path: RouterPath, role: ConsoleRole, _ handler: @escaping FormHandler) {
        let site = site
        group.post(path) { request, context in
            let visit = try await PageVisit.begin(request, area: .console, site: site)
            let form = try await PageForm.read(request)
            try visit.check(form)
            guard let session = try visit.console(role) else { return visit.redirect(visit.signInPath) }
            return try await handler(form, visit, session, context)
        }
    }
}

/// The console's home: what there is to do, by role.
struct ConsoleHomePage {
    let site: PageSite

    func add(to console: ConsoleRouter) {
        console.get("", role: .operator) { _, visit, _, _ in
            visit.page("console-home", title: "Administration console")
        }
    }
}
