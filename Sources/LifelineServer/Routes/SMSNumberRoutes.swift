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
            let (summary, items, matched) = try await database.read {
                var items: [String] = []
                var matched = 0
                let summary = try SMSNumbers(environment).verify(defaultRegion: region, fix: false) { check in
                    guard filter?.includes(check) ?? true else { return }
                    matched += 1
                    if items.count < limit { items.append(Self.object(check)) }
                }
                return (summary, items, matched)
            }
            return JSONBody.response([
                ("summary", .json(Self.summary(summary))), ("items", .array(items)), ("matched", .integer(matched)),
                ("truncated", .boolean(matched > items.count)),
            ])
        }
        group.post("sms/numbers/fix") { request, _ in
            let region = try Self.region(request)
            let (summary, fixes) = try await database.write {
                var fixes: [String] = []
                let summary = try SMSNumbers(environment).verify(defaultRegion: region, fix: true) { check in
                    guard case .fixable(let long, _) = check.verdict else { return }
                    fixes.append(
                        JSONBody.object([
                            ("email", .text(check.email)), ("before", check.value.map(JSONBody.Value.text) ?? .null),
                            ("after", .text(long)),
                        ]))
                }
                return (summary, fixes)
            }
            return JSONBody.response([("summary", .json(Self.summary(summary))), ("fixed", .array(fixes))])
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
