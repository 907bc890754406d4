import Hummingbird
import LifelineService

/// `POST /v1/imports`: a directory export as the request body (CSV, UTF-8), imported as
/// `lifeline import users` imports a file, with the same options as query parameters. The body
/// is spooled to a private file as it arrives, then read by the same streaming importer.
struct ImportRoutes {
    let environment: LifelineEnvironment
    let database: DatabaseWork

    func add(to group: RouterGroup<LifelineRequestContext>) {
        let environment = environment
        let database = database
        group.post("imports") { request, _ in
            var options = ImportOptions()
            options.dryRun = try request.flag("dry_run")
            options.allowPartial = try request.flag("allow_partial")
            options.disableMissing = try request.flag("disable_missing")
            options.groups = try request.choice("groups", as: GroupImportMode.self) ?? .add
            options.columnMap = try ImportOptions.columnMap(reading: request.uri.queryParameters.getAll("map"))
            options.keptRejections = Self.keptRejections
            let upload = try await UploadSpool.receive(request.body)
            let chosen = options
            do {
                let summary = try await database.write {
                    try DirectoryImporter(environment).importUsers(
                        from: .descriptor(upload.descriptor), path: "the uploaded CSV", options: chosen)
                }
                return JSONBody.response(Self.members(summary))
            } catch ImportFailure.rowsRejected(let path, let summary) {
                var problem = Problem(ImportFailure.rowsRejected(path: path, summary: summary))
                problem.members = Self.members(summary)
                throw problem
            }
        }
    }

    /// Rejections listed in the answer; `rejected` counts them all.
    static let keptRejections = 1_000

    /// The counts, in the CLI's words, then the first rejections with their lines and reasons,
    /// then the warnings (numbers lost, console accounts named).
    static func members(_ summary: ImportSummary) -> [(String, JSONBody.Value)] {
        let rejections = summary.firstRejections.map {
            JSONBody.object([("line", .integer($0.line)), ("reason", .text($0.reason))])
        }
        let warnings = summary.warnings.map {
            JSONBody.object([
                ("code", .text($0.code)), ("count", .integer($0.count)), ("message", .text($0.message)),
                ("emails", .array($0.emails.map(JSONString.quoted))),
            ])
        }
        return [("result", .text(summary.outcome.rawValue)), ("written", .boolean(summary.isWritten))]
            + summary.counts.map { ($0.name, .integer($0.value)) }
            + [("rejections", .array(rejections)), ("warnings", .array(warnings))]
    }
}
