import Hummingbird
import LifelineService

/// `POST /v1/imports`: a directory export as the request body (CSV, UTF-8), imported as
/// `lifeline import users` imports a file, with the same options as query parameters. The body
/// is spooled to a private file as it arrives, then read by the same streaming importer.
struct ImportController {
    let environment: LifelineEnvironment
    let database: Database

    func addRoutes(to group: RouterGroup<LifelineRequestContext>) {
        group.post("imports", use: postImports)
    }

    @Sendable func postImports(_ request: Request, context: LifelineRequestContext) async throws -> some ResponseGenerator {
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
            let summary = try await DirectoryImporter(environment).importUsers(
                from: .descriptor(upload.descriptor), path: "the uploaded CSV", options: chosen, on: database.places)
            return ImportAnswer(summary)
        } catch ImportFailure.rowsRejected(let path, let summary) {
            var problem = Problem(ImportFailure.rowsRejected(path: path, summary: summary))
            problem.members = ImportAnswer(summary)
            throw problem
        }
    }

    /// Rejections listed in the answer; `rejected` counts them all.
    static let keptRejections = 1_000

    /// An import's answer: the outcome, the counts in the CLI's words, the first rejections with
    /// their lines and reasons, and the warnings (numbers lost, console accounts named).
    struct ImportAnswer: ResponseEncodable {
        struct Rejection: Encodable, Sendable {
            let line: Int
            let reason: String
        }

        struct Warning: Encodable, Sendable {
            let code: String
            let count: Int
            let message: String
            let emails: [String]
        }

        let result: String
        let written: Bool
        let counts: [(name: String, value: Int)]
        let rejections: [Rejection]
        let warnings: [Warning]

        init(_ summary: ImportSummary) {
            result = summary.outcome.rawValue
            written = summary.isWritten
            counts = summary.counts
            rejections = summary.firstRejections.map { Rejection(line: $0.line, reason: $0.reason) }
            warnings = summary.warnings.map { Warning(code: $0.code, count: $0.count, message: $0.message, emails: $0.emails) }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: NamedKey.self)
            try container.encode(result, forKey: NamedKey("result"))
            try container.encode(written, forKey: NamedKey("written"))
            for (name, value) in counts { try container.encode(value, forKey: NamedKey(name)) }
            try container.encode(rejections, forKey: NamedKey("rejections"))
            try container.encode(warnings, forKey: NamedKey("warnings"))
        }
    }
}
