import FoundationEssentials
import Hummingbird
import LifelineService
import Logging
import NIOCore

/// SCIM 2.0 at `/scim/v2` (RFC 7644): identity providers push users and groups with an API
/// key of the provisioning role, which reaches these routes and nothing else. Answers and
/// errors are `application/scim+json`, errors in SCIM's own error schema.
struct SCIMController {
    let environment: LifelineEnvironment
    let database: Database
    let configuration: ServerConfiguration

    static let contentType = "application/scim+json"
    /// The largest request body taken: a group of 10,000 members is about 400 KB.
    static let maximumBody = 4 * 1024 * 1024

    func addRoutes(to router: Router<LifelineRequestContext>) {
        let group = router.group("scim/v2")
            .add(middleware: APIKeyMiddleware(environment: environment, database: database))
            .add(middleware: RequireRole(role: .provisioning))
            .add(middleware: SCIMLimitMiddleware(
                limiter: RateLimiter(.init(name: "provisioning key", quota: configuration.provisioningRequestsPerMinute, window: 60), clock: environment.clock)))
        group.get("ServiceProviderConfig") { request, _ in
            try answer(SCIMDiscovery(environment).serviceProviderConfig(location: location(request)))
        }
        group.get("Schemas") { request, _ in
            let schemas = try await database.read { [environment] in try SCIMDiscovery(environment).schemas(location: location(request)) }
            return try answer(listOf(schemas))
        }
        group.get("Schemas/:id") { request, context in
            let id = try context.parameters.require("id")
            let schemas = try await database.read { [environment] in try SCIMDiscovery(environment).schemas(location: location(request)) }
            guard let schema = schemas.first(where: { $0.id == id }) else { throw SCIMFailure(status: 404, scimType: nil, "no schema is named '\(id)'") }
            return try answer(schema)
        }
        group.get("ResourceTypes") { request, _ in
            let types = try await database.read { [environment] in try SCIMDiscovery(environment).resourceTypes(location: location(request)) }
            return try answer(listOf(types))
        }
        group.get("ResourceTypes/:id") { request, context in
            let id = try context.parameters.require("id")
            let types = try await database.read { [environment] in try SCIMDiscovery(environment).resourceTypes(location: location(request)) }
            guard let type = types.first(where: { $0.id == id }) else { throw SCIMFailure(status: 404, scimType: nil, "no resource type is named '\(id)'") }
            return try answer(type)
        }
        group.post("Bulk") { _, _ -> Response in
            throw SCIMFailure(status: 501, scimType: nil, "bulk operations are not supported (ServiceProviderConfig says so): send each request alone")
        }
        group.post(".search") { _, _ -> Response in
            throw SCIMFailure(status: 501, scimType: nil, "searching Users and Groups at once is not supported: search /Users/.search or /Groups/.search")
        }
        addUserRoutes(to: group)
        addGroupRoutes(to: group)
    }

    private func addUserRoutes(to group: RouterGroup<LifelineRequestContext>) {
        let service = SCIMProvisioning(environment)
        group.get("Users") { request, context in
            let query = try Self.query(request.uri.queryParameters)
            let client = client(request, context)
            return try answer(try await database.read { try service.users(query, client: client) })
        }
        group.post("Users/.search") { request, context in
            let query = try Self.query(searching: try await body(request))
            let client = client(request, context)
            return try answer(try await database.read { try service.users(query, client: client) })
        }
        group.post("Users") { request, context in
            let body = try await body(request)
            let client = client(request, context)
            let created = try await database.write { try service.createUser(body, client: client) }
            return try answer(SCIMValue.object(created), status: .created, resource: created)
        }
        group.get("Users/:id") { request, context in
            let (id, query, client) = (try context.parameters.require("id"), try Self.query(request.uri.queryParameters), client(request, context))
            let user = try await database.read { try service.user(id: id, query: query, client: client) }
            return try answer(SCIMValue.object(user), resource: user)
        }
        group.put("Users/:id") { request, context in
            let (id, body, client) = (try context.parameters.require("id"), try await body(request), client(request, context))
            let ifMatch = request.headers[.ifMatch]
            let user = try await database.write { try service.replaceUser(id: id, body, ifMatch: ifMatch, client: client) }
            return try answer(SCIMValue.object(user), resource: user)
        }
        group.patch("Users/:id") { request, context in
            let (id, body, client) = (try context.parameters.require("id"), try await body(request), client(request, context))
            let ifMatch = request.headers[.ifMatch]
            let user = try await database.write { try service.patchUser(id: id, body, ifMatch: ifMatch, client: client) }
            return try answer(SCIMValue.object(user), resource: user)
        }
        group.delete("Users/:id") { request, context in
            let (id, client) = (try context.parameters.require("id"), client(request, context))
            let ifMatch = request.headers[.ifMatch]
            try await database.write { try service.deleteUser(id: id, ifMatch: ifMatch, client: client) }
            return Response(status: .noContent)
        }
    }

    private func addGroupRoutes(to group: RouterGroup<LifelineRequestContext>) {
        let service = SCIMProvisioning(environment)
        group.get("Groups") { request, context in
            let query = try Self.query(request.uri.queryParameters)
            let client = client(request, context)
            return try answer(try await database.read { try service.groups(query, client: client) })
        }
        group.post("Groups/.search") { request, context in
            let query = try Self.query(searching: try await body(request))
            let client = client(request, context)
            return try answer(try await database.read { try service.groups(query, client: client) })
        }
        group.post("Groups") { request, context in
            let body = try await body(request)
            let client = client(request, context)
            let created = try await database.write { try service.createGroup(body, client: client) }
            return try answer(SCIMValue.object(created), status: .created, resource: created)
        }
        group.get("Groups/:id") { request, context in
            let (id, query, client) = (try context.parameters.require("id"), try Self.query(request.uri.queryParameters), client(request, context))
            let found = try await database.read { try service.group(id: id, query: query, client: client) }
            return try answer(SCIMValue.object(found), resource: found)
        }
        group.put("Groups/:id") { request, context in
            let (id, body, client) = (try context.parameters.require("id"), try await body(request), client(request, context))
            let ifMatch = request.headers[.ifMatch]
            let found = try await database.write { try service.replaceGroup(id: id, body, ifMatch: ifMatch, client: client) }
            return try answer(SCIMValue.object(found), resource: found)
        }
        group.patch("Groups/:id") { request, context in
            let (id, body, client) = (try context.parameters.require("id"), try await body(request), client(request, context))
            let ifMatch = request.headers[.ifMatch]
            try await database.write { try service.patchGroup(id: id, body, ifMatch: ifMatch, client: client) }
            return Response(status: .noContent)
        }
        group.delete("Groups/:id") { request, context in
            let (id, client) = (try context.parameters.require("id"), client(request, context))
            let ifMatch = request.headers[.ifMatch]
            try await database.write { try service.deleteGroup(id: id, ifMatch: ifMatch, client: client) }
            return Response(status: .noContent)
        }
    }

    // MARK: Requests and answers

    private func location(_ request: Request) -> SCIMLocation {
        let base: String
        if let publicURL = configuration.publicURL {
            base = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        } else {
            base = (request.head.scheme ?? "http") + "://" + (request.head.authority ?? "localhost")
        }
        return SCIMLocation(base: base + "/scim/v2")
    }

    private func client(_ request: Request, _ context: LifelineRequestContext) -> SCIMClient {
        SCIMClient(actor: "scim:" + (context.client?.name ?? "unknown"), location: location(request))
    }

    /// The body as JSON; anything else is SCIM's `invalidSyntax`.
    private func body(_ request: Request) async throws -> SCIMValue {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: Self.maximumBody)
        } catch {
            throw SCIMFailure(status: 413, scimType: nil, "the request body is over \(Self.maximumBody / 1024 / 1024) MB")
        }
        do {
            return try JSONDecoder().decode(SCIMValue.self, from: Data(buffer.readableBytesView))
        } catch {
            throw SCIMFailure(status: 400, scimType: .invalidSyntax, "the body is not JSON: \(error)")
        }
    }

    static func query(_ parameters: Parameters) throws -> SCIMQuery {
        func integer(_ name: String) throws -> Int? {
            guard let text = parameters.get(name) else { return nil }
            guard let value = Int(text) else { throw SCIMFailure(status: 400, scimType: .invalidValue, "\(name) must be a whole number, not '\(text)'") }
            return value
        }
        return SCIMQuery(
            filter: parameters.get("filter"), startIndex: try integer("startIndex"), count: try integer("count"),
            attributes: parameters.getAll("attributes"), excludedAttributes: parameters.getAll("excludedAttributes"))
    }

    /// A `.search` body (RFC 7644 §3.4.3).
    static func query(searching body: SCIMValue) throws -> SCIMQuery {
        guard let object = body.object else { throw SCIMFailure(status: 400, scimType: .invalidSyntax, "a search must be a JSON object") }
        func integer(_ name: String) throws -> Int? {
            guard let value = object[name], value != .null else { return nil }
            guard case .integer(let number) = value else { throw SCIMFailure(status: 400, scimType: .invalidValue, "\(name) must be a whole number") }
            return Int(clamping: number)
        }
        func names(_ name: String) -> [String] {
            object[name]?.array?.compactMap(\.string) ?? object[name]?.string.map { [$0] } ?? []
        }
        return SCIMQuery(
            filter: object["filter"]?.string, startIndex: try integer("startIndex"), count: try integer("count"),
            attributes: names("attributes"), excludedAttributes: names("excludedAttributes"))
    }

    private func listOf<Resource: Encodable & Sendable>(_ resources: [Resource]) -> SCIMDocumentList<Resource> {
        SCIMDocumentList(totalResults: resources.count, itemsPerPage: resources.count, resources: resources)
    }

    /// A SCIM answer; a resource's answer carries its `ETag`, and a created one its `Location`.
    private func answer(_ document: some Encodable, status: HTTPResponse.Status = .ok, resource: SCIMObject? = nil) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var headers: HTTPFields = [.contentType: Self.contentType]
        if let meta = resource?["meta"]?.object {
            if let version = meta["version"]?.string { headers[.eTag] = version }
            if status == .created, let location = meta["location"]?.string { headers[.location] = location }
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(document))))
    }
}

/// A list of discovery documents (Schemas, ResourceTypes) as a ListResponse.
struct SCIMDocumentList<Resource: Encodable & Sendable>: Encodable, Sendable {
    let schemas = [SCIMSchema.listResponse]
    let totalResults: Int
    let startIndex = 1
    let itemsPerPage: Int
    let resources: [Resource]

    enum CodingKeys: String, CodingKey {
        case schemas, totalResults, startIndex, itemsPerPage
        case resources = "Resources"
    }
}

/// SCIM's errors (RFC 7644 §3.12) for every request under /scim, whatever raised them: the key
/// check, the role, the rate limit, the router (an unknown path or method), the service.
/// ``ProblemMiddleware`` answers with these instead of problem+json for those paths.
enum SCIMErrorResponse {
    struct Document: Encodable {
        let schemas = [SCIMSchema.error]
        let status: String
        let scimType: String?
        let detail: String
    }

    static func response(for error: any Error, logger: Logger) -> Response {
        if let failure = error as? SCIMFailure {
            return response(status: failure.status, scimType: failure.scimType?.rawValue, detail: failure.message)
        }
        let problem = Problem(caught: error, logger: logger)
        var response = response(status: problem.status.code, scimType: nil, detail: problem.detail)
        for field in problem.headers { response.headers.append(field) }
        if let retryAfter = problem.retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }

    static func response(status: Int, scimType: String?, detail: String) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let body = (try? encoder.encode(Document(status: String(status), scimType: scimType, detail: detail))) ?? Data()
        return Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: SCIMController.contentType],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// The per-key limit on provisioning requests, answered with 429 and `Retry-After`.
struct SCIMLimitMiddleware: RouterMiddleware {
    typealias Context = LifelineRequestContext
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let decision = limiter.take(context.client?.name ?? "unknown")
        guard decision.allowed else {
            throw limiter.refusal(decision, detail: "too many provisioning requests for this key; try again in \(decision.retryAfter) s")
        }
        var response = try await next(request, context)
        for field in limiter.headers(decision) { response.headers.append(field) }
        return response
    }
}
