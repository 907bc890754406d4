import FoundationEssentials
import Hummingbird
import LifelineService

/// Consent to outage alerts over HTTP: the portal asks on a user's behalf (the double opt-in
/// SMS); operators ask who is opted in, by email or number, and how many.
struct OptInController {
    let environment: LifelineEnvironment
    let database: Database
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

    func addPortalRoutes(to group: RouterGroup<LifelineRequestContext>) {
        group.post("optins", use: postOptins)
    }

    @Sendable func postOptins(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let body = try await request.decode(as: OptInBody.self, context: context)
        try limits.admit(email: body.email)
        let outcome = try await database.write {
            try ConsentService(environment).requestOptIn(email: body.email, source: .portal, actor: ActorName.portal.recorded)
        }
        let (state, sent): (String, Bool) =
            switch outcome {
            case .confirmationQueued, .confirmationResent: ("pending", true)
            case .alreadyPending: ("pending", false)
            case .alreadyOptedIn: ("opted_in", false)
            }
        return StatusAnswer(status: .accepted, body: OptInAnswer(state: state, confirmationSent: sent))
    }

    @Sendable func getOptinsSummary(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let group = request.uri.queryParameters.get("group")
        let summary = try await database.read { try ConsentService(environment).summary(group: group) }
        return Summary(
            optedIn: summary.optedIn, pending: summary.pending, optedOut: summary.optedOut, none: summary.none,
            noValidNumber: summary.noValidNumber, total: summary.total)
    }

    @Sendable func getOptins(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let page = try PageRequest(request, listing: "optins")
        let state = try request.choice("state", as: ConsentState.self)
        let group = request.uri.queryParameters.get("group")
        let (items, last) = try await database.read {
            var items: [Listing] = []
            var last: String?
            try ConsentService(environment).forEachListing(state: state, group: group, after: page.after, limit: page.limit) {
                items.append(Listing(email: $0.email, number: $0.number, state: $0.state, since: $0.since, source: $0.source))
                last = $0.email
            }
            return (items, last)
        }
        return page.page(items, lastKey: last)
    }

    @Sendable func getOptinHistory(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let who = try context.parameters.require("who")
        let entries = try await database.read { try ConsentService(environment).history(of: who) }
        return Items(items: entries.map { entry in
            HistoryEntry(
                recordedAt: APITime(entry.recordedAt), email: entry.email, number: entry.number, state: entry.state.rawValue,
                source: entry.source.rawValue, actor: entry.actor, evidence: entry.evidence)
        })
    }

    @Sendable func postOptinDecisions(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let email = try context.parameters.require("who")
        let body = try await request.decode(as: DecisionBody.self, context: context)
        let actor = ActorName.apiKey(name: context.client?.name).recorded
        let current = try await database.write {
            try ConsentService(environment).recordAdminDecision(
                email: email, state: body.state == .optedIn ? .optedIn : .optedOut, evidence: body.evidence, actor: actor)
        }
        return StatusAnswer(
            status: .created,
            body: Decision(state: current.state.rawValue, since: current.since.map(APITime.init), source: current.source?.rawValue))
    }

    @Sendable func getOptin(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let who = try context.parameters.require("who")
        let lines = try await database.read { try ConsentService(environment).status(of: who) }
        return Items(items: lines.map { line in
            Status(
                listing: Listing(email: line.email, number: line.number, state: line.state, since: line.since, source: line.source),
                evidence: line.evidence)
        })
    }

    func addOperatorRoutes(to group: RouterGroup<LifelineRequestContext>) {
        group.get("optins/summary", use: getOptinsSummary)
        group.get("optins", use: getOptins)
        group.get("optins/:who/history", use: getOptinHistory)
        group.post("optins/:who/decisions", use: postOptinDecisions)
        group.get("optins/:who", use: getOptin)
    }

    struct OptInAnswer: ResponseEncodable {
        let state: String
        let confirmationSent: Bool

        enum CodingKeys: String, CodingKey {
            case state
            case confirmationSent = "confirmation_sent"
        }
    }

    struct Summary: ResponseEncodable {
        let optedIn: Int
        let pending: Int
        let optedOut: Int
        let none: Int
        let noValidNumber: Int
        let total: Int

        enum CodingKeys: String, CodingKey {
            case pending, none, total
            case optedIn = "opted_in"
            case optedOut = "opted_out"
            case noValidNumber = "no_valid_number"
        }
    }

    /// One user's consent for their current number.
    struct Listing: Encodable, Sendable {
        let email: String
        @Nullable var number: String?
        let state: String
        @Nullable var since: APITime?
        @Nullable var source: String?

        init(email: String, number: String?, state: ConsentState, since: Date?, source: ConsentSource?) {
            self.email = email
            self.number = number
            self.state = state.rawValue
            self.since = since.map(APITime.init)
            self.source = source?.rawValue
        }
    }

    /// A lookup's answer: the listing and its evidence.
    struct Status: Encodable, Sendable {
        let listing: Listing
        let evidence: String?

        enum CodingKeys: String, CodingKey {
            case evidence
        }

        func encode(to encoder: any Encoder) throws {
            try listing.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(evidence, forKey: .evidence)
        }
    }

    struct HistoryEntry: Encodable, Sendable {
        let recordedAt: APITime
        let email: String
        let number: String
        let state: String
        let source: String
        let actor: String
        let evidence: String

        enum CodingKeys: String, CodingKey {
            case email, number, state, source, actor, evidence
            case recordedAt = "recorded_at"
        }
    }

    struct Decision: ResponseEncodable {
        let state: String
        @Nullable var since: APITime?
        @Nullable var source: String?
    }
}
