import Hummingbird
import LifelineService

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
            var view = try await Self.dashboard(environment, database: database, filter: filter, country: country)
            if let fixed = request.uri.queryParameters.get("fixed").flatMap({ Int($0) }) {
                view.notice = fixed == 1 ? "1 number fixed." : "\(fixed) numbers fixed."
            }
            if request.uri.queryParameters.get("country_saved") != nil {
                view.notice =
                    view.defaultCountry.isEmpty
                    ? "No default country: national numbers are not sent to."
                    : "National numbers are now read as numbers of \(view.defaultCountry) and sent to."
            }
            return visit.page(view, title: "SMS numbers")
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
                var view = try await Self.dashboard(environment, database: database, filter: nil, country: "")
                view.defaultCountry = country
                view.defaultCountryError = PageText.sentence(failure.message)
                return visit.page(view, title: "SMS numbers", status: .unprocessableContent)
            }
            return visit.redirect("/console/sms?country_saved=1")
        }
        console.get("sms/fix", role: .admin) { request, visit, _, _ in
            let country = request.uri.queryParameters.get("country") ?? ""
            let region = try Self.region(country)
            let fixes = try await database.read { try Self.fixes(environment, region: region, apply: false) }
            let view = SMSFixView(
                fixes: fixes, count: fixes.count, noun: fixes.count == 1 ? "number" : "numbers", country: country, none: fixes.isEmpty)
            return visit.page(view, title: "Fix numbers")
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
    ) async throws -> SMSDashboardView {
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
        var view = SMSDashboardView(
            defaultCountry: defaultCountry?.code ?? "", attribute: attribute?.name ?? "", noAttribute: attribute == nil,
            status: filter?.rawValue ?? "",
            attributes: attributes.map { .init(name: $0.name, count: $0.valueCount, selected: $0.name == attribute?.name) },
            filters: ([nil] + NumberReportFilter.allCases).map { choice in
                .init(
                    label: choice?.rawValue ?? "all", query: "?status=\(choice?.rawValue ?? "")&country=\(FormEncoding.escape(country))",
                    current: choice == filter)
            },
            country: country.isEmpty ? nil : country, countryError: countryError)
        if attribute != nil, countryError == nil {
            let report = try await database.read {
                try SMSNumbers(environment).report(defaultRegion: region, filter: filter, limit: Self.shownRows)
            }
            view.counts = report.summary.counts.map { .init(name: $0.name, value: $0.value) }
            view.rows = report.checks.map { check in
                .init(
                    email: check.email, value: check.value ?? "", verdict: check.verdict.name, detail: check.verdict.detail,
                    shared: check.sharedBy > 1 ? "shared by \(check.sharedBy)" : "")
            }
            view.matched = report.matched
            view.truncated = report.isTruncated
            let fixable = report.summary.deliverable + report.summary.fixable
            view.fixable = fixable
            view.canFix = fixable > 0
            view.fixableNoun = fixable == 1 ? "number" : "numbers"
        }
        return view
    }

    /// The numbers not in long format (deliverable and fixable) as the confirmation lists them;
    /// changed in the same pass when `apply`.
    static func fixes(_ environment: LifelineEnvironment, region: CallingCodePlan.Region?, apply: Bool) throws -> [SMSFixView.Fix] {
        try SMSNumbers(environment).fixes(defaultRegion: region, apply: apply).fixes.map {
            SMSFixView.Fix(email: $0.check.email, before: $0.check.value ?? "", after: $0.long, detail: $0.check.verdict.detail)
        }
    }

    static func region(_ country: String) throws -> CallingCodePlan.Region? {
        country.isEmpty ? nil : try SMSNumbers.region(named: country)
    }
}

/// The SMS dashboard: the attribute, the default country, and the number report.
struct SMSDashboardView: PageView {
    static let template = "console-sms"
    struct AttributeChoice: PageValues {
        let name: String
        let count: Int
        let selected: Bool
    }
    struct Filter: PageValues {
        let label: String
        let query: String
        let current: Bool
    }
    struct Count: PageValues {
        let name: String
        let value: Int
    }
    struct Row: PageValues {
        let email: String
        let value: String
        let verdict: String
        let detail: String
        let shared: String
    }
    var defaultCountry: String
    var defaultCountryError: String?
    let attribute: String
    let noAttribute: Bool
    let status: String
    let attributes: [AttributeChoice]
    let filters: [Filter]
    /// The country the report is read as if it were the default; nil when none is asked.
    let country: String?
    let countryError: String?
    var counts: [Count] = []
    var rows: [Row] = []
    var matched = 0
    var truncated = false
    var fixable = 0
    var canFix = false
    var fixableNoun = ""
    var notice: String?
}

/// The confirmation that lists every number a fix would rewrite.
struct SMSFixView: PageView {
    static let template = "console-sms-fix"
    struct Fix: PageValues {
        let email: String
        let before: String
        let after: String
        let detail: String
    }
    let fixes: [Fix]
    let count: Int
    let noun: String
    let country: String
    let none: Bool
}
