import Hummingbird
import LifelineService

/// The SMS attribute and the number report for admins: which attribute holds numbers (chosen
/// from the defined attributes), every user's verdict, and fixing the fixable ones.
struct SMSNumberController {
    let environment: LifelineEnvironment
    let database: Database

    struct AttributeChoice: Decodable {
        let name: String
    }

    /// Report rows listed per answer at most; the counts always cover everyone.
    static let defaultLimit = 1_000
    static let maximumLimit = 10_000

    func addRoutes(to group: RouterGroup<LifelineRequestContext>) {
        group.get("attributes", use: getAttributes)
        group.get("sms/attribute", use: getSMSAttribute)
        group.put("sms/attribute", use: putSMSAttribute)
        group.get("sms/numbers", use: getSMSNumbers)
        group.post("sms/numbers/fix", use: fixSMSNumbers)
    }

    @Sendable func getAttributes(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let attributes = try await database.read { try DirectoryQueries(environment).attributes() }
        return Items(items: attributes.map {
            Attribute(name: $0.name, description: $0.description, source: $0.source.rawValue, usersWithValue: $0.valueCount)
        })
    }

    @Sendable func getSMSAttribute(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        guard let attribute = try await database.read({ try SMSNumbers(environment).attribute() }) else {
            throw DirectoryFailure.noSMSAttribute
        }
        return SMSAttribute(attribute: attribute.name, usersWithValue: attribute.valueCount)
    }

    @Sendable func putSMSAttribute(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let choice = try await request.decode(as: AttributeChoice.self, context: context)
        let attribute = try await database.write { try SMSNumbers(environment).setAttribute(named: choice.name) }
        return SMSAttribute(attribute: attribute.name, usersWithValue: attribute.valueCount)
    }

    @Sendable func getSMSNumbers(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let filter = try request.choice("status", as: NumberReportFilter.self)
        let region = try Self.region(request)
        let limit = try request.integer("limit", in: 1...Self.maximumLimit, default: Self.defaultLimit)
        let report = try await database.read {
            try SMSNumbers(environment).report(defaultRegion: region, filter: filter, limit: limit)
        }
        return Report(
            summary: Summary(report.summary), items: report.checks.map(Check.init), matched: report.matched,
            truncated: report.isTruncated)
    }

    @Sendable func fixSMSNumbers(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
        let region = try Self.region(request)
        let (summary, fixes) = try await database.write { try SMSNumbers(environment).fixes(defaultRegion: region, apply: true) }
        return Fixes(summary: Summary(summary), fixed: fixes.map { Fix(email: $0.check.email, before: $0.check.value, after: $0.long) })
    }

    static func region(_ request: Request) throws -> CallingCodePlan.Region? {
        try request.uri.queryParameters.get("default_country").map(SMSNumbers.region(named:))
    }

    struct Attribute: Encodable, Sendable {
        let name: String
        let description: String
        let source: String
        let usersWithValue: Int

        enum CodingKeys: String, CodingKey {
            case name, description, source
            case usersWithValue = "users_with_value"
        }
    }

    struct SMSAttribute: ResponseEncodable {
        let attribute: String
        let usersWithValue: Int

        enum CodingKeys: String, CodingKey {
            case attribute
            case usersWithValue = "users_with_value"
        }
    }

    /// The counts per verdict, named as the CLI names them.
    struct Summary: Encodable, Sendable {
        let attribute: String
        let counts: [(name: String, value: Int)]

        init(_ summary: NumberCheckSummary) {
            attribute = summary.attribute
            counts = summary.counts
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: NamedKey.self)
            try container.encode(attribute, forKey: NamedKey("attribute"))
            for (name, value) in counts { try container.encode(value, forKey: NamedKey(name)) }
        }
    }

    struct Check: Encodable, Sendable {
        let email: String
        @Nullable var value: String?
        let verdict: String
        let detail: String
        let sharedBy: Int

        init(_ check: NumberCheck) {
            email = check.email
            value = check.value
            verdict = check.verdict.name
            detail = check.verdict.detail
            sharedBy = check.sharedBy
        }

        enum CodingKeys: String, CodingKey {
            case email, value, verdict, detail
            case sharedBy = "shared_by"
        }
    }

    struct Report: ResponseEncodable {
        let summary: Summary
        let items: [Check]
        let matched: Int
        let truncated: Bool
    }

    struct Fix: Encodable, Sendable {
        let email: String
        @Nullable var before: String?
        let after: String
    }

    struct Fixes: ResponseEncodable {
        let summary: Summary
        let fixed: [Fix]
    }
}
