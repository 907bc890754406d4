import Hummingbird
import LifelineService
import LifelineStore

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
            var values: [String: Any] = [
                "who": who,
                "summary": [
                    ("opted in", summary.optedIn), ("awaiting YES", summary.pending), ("opted out", summary.optedOut),
                    ("never asked", summary.none), ("no valid number", summary.noValidNumber), ("total", summary.total),
                ].map { ["label": $0.0, "count": $0.1] as [String: Any] },
                "groups": groups.map { ["name": $0.name, "selected": $0.name == group] as [String: Any] },
                "group": group,
            ]
            if !who.isEmpty {
                do {
                    let (lines, history) = try await database.read {
                        let service = ConsentService(environment)
                        return (try service.status(of: who), try service.history(of: who))
                    }
                    values["lines"] = lines.map { line -> [String: Any] in
                        [
                            "email": line.email, "number": line.number ?? "none", "state": line.state.rawValue.replacing("_", with: " "),
                            "since": line.since.map(PageTime.text) ?? "", "source": line.source?.rawValue ?? "",
                            "can_opt_out": line.state != .optedOut && line.number != nil,
                        ]
                    }
                    values["history"] = history.map { entry -> [String: String] in
                        [
                            "at": PageTime.text(entry.recordedAt), "email": entry.email, "number": entry.number,
                            "state": entry.state.rawValue.replacing("_", with: " "), "source": entry.source.rawValue,
                            "actor": entry.actor, "evidence": entry.evidence,
                        ]
                    }
                    values["found"] = true
                } catch let failure as any LifelineFailure where failure.kind != .internal {
                    values["who_error"] = PageText.sentence(failure.message)
                }
            }
            if request.uri.queryParameters.get("done") == "opted-out" { values["notice"] = "The opt-out is recorded." }
            return visit.page("console-optins", title: "Opt-in", values)
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
