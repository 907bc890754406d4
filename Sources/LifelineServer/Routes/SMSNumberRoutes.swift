import Hummingbird
import LifelineService
import LifelineStore

/// The SMS attribute and the number report for admins: which attribute holds numbers (chosen
/// from the defined attributes), every user's verdict, and fixing the fixable ones.
struct SMSNumberRoutes {
    let environment: LifelineEnvironment
    let database: DatabaseWork

    struct AttributeChoice: Decodable {
        let name: String
    }

    /// Report rows listed per answer at most; the counts always cover everyone.
    static let defaultLimit = 1_000
    static let maximumLimit = 10_000

    func add(to group: RouterGroup<LifelineRequestContext>) {
        let environment = environment
        let database = database
        group.get("attributes") { _, _ in
            let attributes = try await database.read { try DirectoryQueries(environment).attributes() }
            let items = attributes.map {
                JSONBody.object([
                    ("name", .text($0.name)), ("description", .text($0.description)), ("source", .text($0.source.rawValue)),
                    ("users_with_value", .integer($0.valueCount)),
                ])
            }
            return JSONBody.raw("{\"items\":[" + items.joined(separator: ",") + "]}")
        }
        group.get("sms/attribute") { _, _ in
            guard let attribute = try await database.read({ try SMSNumbers(environment).attribute() }) else {
                throw DirectoryFailure.noSMSAttribute
            }
            return Self.attribute(attribute)
        }
        group.put("sms/attribute") { request, context in
            let choice = try await request.decode(as: AttributeChoice.self, context: context)
            let attribute = try await database.write { try SMSNumbers(environment).setAttribute(named: choice.name) }
            return Self.attribute(attribute)
        }
        group.get("sms/numbers") { request, _ in
            let filter = try request.choice("status", as: NumberReportFilter.self)
            let region = try Self.region(request)
            let limit = try request.integer("limit", in: 1...Self.maximumLimit, default: Self.defaultLimit)
            let report = try await database.read {
                try SMSNumbers(environment).report(defaultRegion: region, filter: filter, limit: limit)
            }
            return JSONBody.response([
                ("summary", .json(Self.summary(report.summary))), ("items", .array(report.checks.map(Self.object))),
                ("matched", .integer(report.matched)), ("truncated", .boolean(report.isTruncated)),
            ])
        }
        group.post("sms/numbers/fix") { request, _ in
            let region = try Self.region(request)
            let (summary, fixes) = try await database.write { try SMSNumbers(environment).fixes(defaultRegion: region, apply: true) }
            let fixed = fixes.map {
                JSONBody.object([
                    ("email", .text($0.check.email)), ("before", $0.check.value.map(JSONBody.Value.text) ?? .null),
                    ("after", .text($0.long)),
                ])
            }
            return JSONBody.response([("summary", .json(Self.summary(summary))), ("fixed", .array(fixed))])
        }
    }

    static func attribute(_ attribute: AttributeDefinition) -> Response {
        JSONBody.response([("attribute", .text(attribute.name)), ("users_with_value", .integer(attribute.valueCount))])
    }

    static func region(_ request: Request) throws -> CallingCodePlan.Region? {
        try request.uri.queryParameters.get("default_country").map(SMSNumbers.region(named:))
    }

    static func object(_ check: NumberCheck) -> String {
        JSONBody.object([
            ("email", .text(check.email)), ("value", check.value.map(JSONBody.Value.text) ?? .null),
            ("verdict", .text(check.verdict.name)), ("detail", .text(check.verdict.detail)),
            ("shared_by", .integer(check.sharedBy)),
        ])
    }

    static func summary(_ summary: NumberCheckSummary) -> String {
        JSONBody.object([("attribute", .text(summary.attribute))] + summary.counts.map { ($0.name, .integer($0.value)) })
    }
}
