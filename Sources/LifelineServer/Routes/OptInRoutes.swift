import FoundationEssentials
import Hummingbird
import LifelineService
import LifelineStore

/// Consent to outage alerts over HTTP: the portal asks on a user's behalf (the double opt-in
/// SMS); operators ask who is opted in, by email or number, and how many.
struct OptInRoutes {
    let environment: LifelineEnvironment
    let database: DatabaseWork
    let limits: RequestLimits

    struct OptInBody: Decodable {
        let email: String
    }

    /// Consent collected elsewhere (a signed form, a call to the service desk), as `optin record`.
    struct DecisionBody: Decodable {
        let state: DecidedState
        let evidence: String

        enum DecidedState: String, Decodable {
            case optedIn = "opted_in"
            case optedOut = "opted_out"
        }
    }

    func addPortal(to group: RouterGroup<LifelineRequestContext>) {
        let environment = environment
        let database = database
        let limits = limits
        group.post("optins") { request, context in
            let body = try await request.decode(as: OptInBody.self, context: context)
            try limits.admit(email: body.email)
            let outcome = try await database.write {
                try ConsentService(environment).requestOptIn(email: body.email, source: .portal, actor: "portal")
            }
            let (state, sent): (String, Bool) =
                switch outcome {
                case .confirmationQueued, .confirmationResent: ("pending", true)
                case .alreadyPending: ("pending", false)
                case .alreadyOptedIn: ("opted_in", false)
                }
            return JSONBody.response(["state": .text(state), "confirmation_sent": .text(sent ? "yes" : "no")], status: .accepted)
        }
    }

    func addOperator(to group: RouterGroup<LifelineRequestContext>) {
        let environment = environment
        let database = database
        group.get("optins/summary") { request, _ in
            let group = request.uri.queryParameters.get("group")
            let summary = try await database.read { try ConsentService(environment).summary(group: group) }
            return JSONBody.response([
                "opted_in": .integer(summary.optedIn), "pending": .integer(summary.pending),
                "opted_out": .integer(summary.optedOut), "none": .integer(summary.none),
                "no_valid_number": .integer(summary.noValidNumber), "total": .integer(summary.total),
            ])
        }
        group.get("optins") { request, _ in
            let page = try PageRequest(request, listing: "optins")
            let state = try request.choice("state", as: ConsentState.self)
            let group = request.uri.queryParameters.get("group")
            let (items, last) = try await database.read {
                var items: [String] = []
                var last: String?
                try ConsentService(environment).forEachListing(state: state, group: group, after: page.after, limit: page.limit) {
                    items.append(Self.object(email: $0.email, number: $0.number, state: $0.state, since: $0.since, source: $0.source))
                    last = $0.email
                }
                return (items, last)
            }
            return page.body(items: items, lastKey: last)
        }
        group.get("optins/:who/history") { _, context in
            let who = try context.parameters.require("who")
            let entries = try await database.read { try ConsentService(environment).history(of: who) }
            let items = entries.map { entry in
                JSONBody.object([
                    ("recorded_at", .text(UTCTimestamp.string(from: entry.recordedAt))), ("email", .text(entry.email)),
                    ("number", .text(entry.number)), ("state", .text(entry.state.rawValue)),
                    ("source", .text(entry.source.rawValue)), ("actor", .text(entry.actor)), ("evidence", .text(entry.evidence)),
                ])
            }
            return JSONBody.response([("items", .array(items))])
        }
        group.post("optins/:who/decisions") { request, context in
            let email = try context.parameters.require("who")
            let body = try await request.decode(as: DecisionBody.self, context: context)
            let actor = "api:" + (context.client?.name ?? "unknown")
            let current = try await database.write {
                try ConsentService(environment).recordAdminDecision(
                    email: email, state: body.state == .optedIn ? .optedIn : .optedOut, evidence: body.evidence, actor: actor)
            }
            return JSONBody.response(
                [
                    ("state", .text(current.state.rawValue)),
                    ("since", current.since.map { .text(UTCTimestamp.string(from: $0)) } ?? .null),
                    ("source", current.source.map { .text($0.rawValue) } ?? .null),
                ], status: .created)
        }
        group.get("optins/:who") { _, context in
            let who = try context.parameters.require("who")
            let lines = try await database.read { try ConsentService(environment).status(of: who) }
            let items = lines.map { line in
                Self.object(
                    email: line.email, number: line.number, state: line.state, since: line.since, source: line.source,
                    evidence: [("evidence", line.evidence.map(JSONBody.Value.text) ?? .null)])
            }
            return JSONBody.raw("{\"items\":[" + items.joined(separator: ",") + "]}")
        }
    }

    static func object(
        email: String, number: String?, state: ConsentState, since: Date?, source: ConsentSource?,
        evidence: [(String, JSONBody.Value)] = []
    ) -> String {
        JSONBody.object(
            [
                ("email", .text(email)), ("number", number.map(JSONBody.Value.text) ?? .null), ("state", .text(state.rawValue)),
                ("since", since.map { .text(UTCTimestamp.string(from: $0)) } ?? .null),
                ("source", source.map { .text($0.rawValue) } ?? .null),
            ] + evidence)
    }
}
