import Hummingbird
import LifelineService
import LifelineStore

/// The SMS dashboard (admins): which attribute holds numbers, chosen from the defined ones with
/// how many users have a value; the organisation's default country; the number report with its
/// filters; and rewriting numbers not in long format after a confirmation that lists every change.
struct ConsoleSMSPages {
    let site: PageSite
    /// Report rows shown on the page; the counts always cover everyone.
    static let shownRows = 500

    func add(to console: ConsoleRouter) {
        let environment = site.environment
        let database = site.database
        console.get("sms", role: .admin) { request, visit, _, _ in
            let filter = NumberReportFilter(rawValue: request.uri.queryParameters.get("status") ?? "")
            let country = (request.uri.queryParameters.get("country") ?? "").trimmingBlanks().uppercased()
            var values = try await Self.dashboard(environment, database: database, filter: filter, country: country)
            if let fixed = request.uri.queryParameters.get("fixed").flatMap({ Int($0) }) {
                values["notice"] = fixed == 1 ? "1 number fixed." : "\(fixed) numbers fixed."
            }
            if request.uri.queryParameters.get("country_saved") != nil {
                values["notice"] =
                    (values["default_country"] as? String).flatMap { $0.isEmpty ? nil : $0 }
                    .map { "National numbers are now read as numbers of \($0) and sent to." }
                    ?? "No default country: national numbers are not sent to."
            }
            return visit.page("console-sms", title: "SMS numbers", values)
        }
        console.post("sms/attribute", role: .admin) { form, visit, _, _ in
            let name = form.text("attribute")
            _ = try await database.write { try SMSNumbers(environment).setAttribute(named: name) }
            return visit.redirect("/console/sms")
        }
        console.post("sms/country", role: .admin) { form, visit, _, _ in
            let country = form.text("default_country").trimmingBlanks()
            do {
                let region = try Self.region(country)
                _ = try await database.write { try SMSNumbers(environment).setDefaultCountry(region) }
            } catch let failure as DirectoryFailure {
                var values = try await Self.dashboard(environment, database: database, filter: nil, country: "")
                values["default_country"] = country
                values["default_country_error"] = PageText.sentence(failure.message)
                return visit.page("console-sms", title: "SMS numbers", values, status: .unprocessableContent)
            }
            return visit.redirect("/console/sms?country_saved=1")
        }
        console.get("sms/fix", role: .admin) { request, visit, _, _ in
            let country = request.uri.queryParameters.get("country") ?? ""
            let region = try Self.region(country)
            let fixes = try await database.read { try Self.fixes(environment, region: region, apply: false) }
            return visit.page(
                "console-sms-fix", title: "Fix numbers",
                [
                    "fixes": fixes, "count": fixes.count, "noun": fixes.count == 1 ? "number" : "numbers", "country": country,
                    "none": fixes.isEmpty,
                ])
        }
        console.post("sms/fix", role: .admin) { form, visit, _, _ in
            let region = try Self.region(form.text("country"))
            let fixes = try await database.write { try Self.fixes(environment, region: region, apply: true) }
            return visit.redirect("/console/sms?fixed=\(fixes.count)")
        }
    }

    /// The dashboard's values: the attribute and its choices, the default country, and the
    /// report (read as if `country` were the default country, when given) filtered by `filter`.
    static func dashboard(
        _ environment: LifelineEnvironment, database: Database, filter: NumberReportFilter?, country: String
    ) async throws -> [String: Any] {
        let region: CallingCodePlan.Region?
        let countryError: String?
        do {
            (region, countryError) = (try Self.region(country), nil)
        } catch let failure as DirectoryFailure {
            (region, countryError) = (nil, PageText.sentence(failure.message))
        }
        let (attribute, attributes, defaultCountry) = try await database.read {
            (
                try SMSNumbers(environment).attribute(), try DirectoryQueries(environment).attributes(),
                try SMSNumbers(environment).defaultCountry()
            )
        }
        var values: [String: Any] = [
            "default_country": defaultCountry?.code ?? "", "has_default_country": defaultCountry != nil,
            "attribute": attribute?.name ?? "", "no_attribute": attribute == nil, "status": filter?.rawValue ?? "",
            "attributes": attributes.map {
                ["name": $0.name, "count": $0.valueCount, "selected": $0.name == attribute?.name] as [String: Any]
            },
            "filters": ([nil] + NumberReportFilter.allCases).map { choice -> [String: Any] in
                [
                    "label": choice?.rawValue ?? "all",
                    "query": "?status=\(choice?.rawValue ?? "")&country=\(FormEncoding.escape(country))",
                    "current": choice == filter,
                ]
            },
        ]
        // Mustache treats an empty string as true: optional values are set only when present.
        if !country.isEmpty { values["country"] = country }
        if let countryError { values["country_error"] = countryError }
        if attribute != nil, countryError == nil {
            let report = try await database.read {
                try SMSNumbers(environment).report(defaultRegion: region, filter: filter, limit: Self.shownRows)
            }
            values["counts"] = report.summary.counts.map { ["name": $0.name, "value": $0.value] as [String: Any] }
            values["rows"] = report.checks.map { check in
                [
                    "email": check.email, "value": check.value ?? "", "verdict": check.verdict.name,
                    "detail": check.verdict.detail, "shared": check.sharedBy > 1 ? "shared by \(check.sharedBy)" : "",
                ]
            }
            values["matched"] = report.matched
            values["truncated"] = report.isTruncated
            let fixable = report.summary.deliverable + report.summary.fixable
            values["fixable"] = fixable
            values["can_fix"] = fixable > 0
            values["fixable_noun"] = fixable == 1 ? "number" : "numbers"
        }
        return values
    }

    /// The numbers not in long format (deliverable and fixable) as the confirmation lists them;
    /// changed in the same pass when `apply`.
    static func fixes(_ environment: LifelineEnvironment, region: CallingCodePlan.Region?, apply: Bool) throws -> [[String: String]] {
        try SMSNumbers(environment).fixes(defaultRegion: region, apply: apply).fixes.map {
            ["email": $0.check.email, "before": $0.check.value ?? "", "after": $0.long, "detail": $0.check.verdict.detail]
        }
    }

    static func region(_ country: String) throws -> CallingCodePlan.Region? {
        country.isEmpty ? nil : try SMSNumbers.region(named: country)
    }
}
