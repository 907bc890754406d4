import Hummingbird
import LifelineService

/// Who is opted in, for operators: look up a user or a number (state, number, since when, the
/// ledger history as evidence), the summary by group, and recording an opt-out made elsewhere.
struct ConsoleOptInPages {
    let site: PageSite

    func add(to console: ConsoleRouter) {
        let environment = site.environment
        let database = site.database
        console.get("optins", role: .operator) { request, visit, _, _ in
            let who = (request.uri.queryParameters.get("who") ?? "").trimmingBlanks()
            let group = (request.uri.queryParameters.get("group") ?? "").trimmingBlanks()
            let (summary, groups) = try await database.read {
                (
                    try ConsentService(environment).summary(group: group.isEmpty ? nil : group),
                    try DirectoryQueries(environment).groups()
                )
            }
            var view = OptInsView(
                who: who,
                summary: [
                    ("opted in", summary.optedIn), ("awaiting YES", summary.pending), ("opted out", summary.optedOut),
                    ("never asked", summary.none), ("no valid number", summary.noValidNumber), ("total", summary.total),
                ].map { OptInsView.Count(label: $0.0, count: $0.1) },
                groups: groups.map { OptInsView.GroupChoice(name: $0.name, selected: $0.name == group) })
            if !who.isEmpty {
                do {
                    let (lines, history) = try await database.read {
                        let service = ConsentService(environment)
                        return (try service.status(of: who), try service.history(of: who))
                    }
                    view.lines = lines.map { line in
                        OptInsView.Line(
                            email: line.email, number: line.number ?? "none", state: line.state.rawValue.replacing("_", with: " "),
                            since: line.since.map(PageTime.text) ?? "", source: line.source?.rawValue ?? "",
                            canOptOut: line.state != .optedOut && line.number != nil)
                    }
                    view.history = history.map { entry in
                        OptInsView.Entry(
                            at: PageTime.text(entry.recordedAt), email: entry.email, number: entry.number,
                            state: entry.state.rawValue.replacing("_", with: " "), source: entry.source.rawValue,
                            actor: entry.actor, evidence: entry.evidence)
                    }
                    view.found = true
                } catch let failure as any LifelineFailure where failure.kind != .internal {
                    view.whoError = PageText.sentence(failure.message)
                }
            }
            if request.uri.queryParameters.get("done") == "opted-out" { view.notice = "The opt-out is recorded." }
            return visit.page(view, title: "Opt-in")
        }
        console.post("optins/opt-out", role: .operator) { form, visit, session, _ in
            let email = form.text("email")
            let evidence = form.text("evidence")
            guard !evidence.isEmpty else {
                throw Problem(status: .unprocessableContent, code: "bad_input", detail: "Say where the opt-out came from (a call, a form) as evidence.")
            }
            _ = try await database.write {
                try ConsentService(environment).recordAdminDecision(
                    email: email, state: .optedOut, evidence: evidence, actor: ActorName.console(email: session.email).recorded)
            }
            return visit.redirect("/console/optins?who=\(FormEncoding.escape(email))&done=opted-out")
        }
    }
}

/// Who is opted in: the summary by group, and a user's or a number's state and ledger.
struct OptInsView: PageView {
    static let template = "console-optins"
    struct Count: PageValues {
        let label: String
        let count: Int
    }
    struct GroupChoice: PageValues {
        let name: String
        let selected: Bool
    }
    struct Line: PageValues {
        let email: String
        let number: String
        let state: String
        let since: String
        let source: String
        let canOptOut: Bool
    }
    struct Entry: PageValues {
        let at: String
        let email: String
        let number: String
        let state: String
        let source: String
        let actor: String
        let evidence: String
    }
    let who: String
    let summary: [Count]
    let groups: [GroupChoice]
    var lines: [Line] = []
    var history: [Entry] = []
    var found = false
    var whoError: String?
    var notice: String?
}
