import FoundationEssentials
import Hummingbird
import LifelineService
import Synchronization

/// The directory import in the console (admins): upload a CSV, see the dry run (created,
/// updated, disabled, rejected with line and reason), then commit that same file.
///
/// Between the two steps the upload waits in an unlinked private file (``UploadSpool``) known
/// only by a random id, to the admin who sent it, for ``PendingImports/lifetime``; a restart
/// forgets it, and the page asks for the file again.
struct ConsoleImportPages {
    let site: PageSite
    let pending = PendingImports()

    func add(to console: ConsoleRouter) {
        let environment = site.environment
        let database = site.database
        let random = site.environment.random
        let pending = pending
        console.get("import", role: .admin) { _, visit, _, _ in
            visit.page(ImportFormView(), title: "Import the directory")
        }
        console.upload("import", role: .admin) { upload, visit, session, _ in
            let form = upload.form
            guard let spool = upload.file, spool.size > 0 else {
                return visit.page(
                    ImportFormView(fileError: "Choose the CSV file to import."), title: "Import the directory", status: .unprocessableContent)
            }
            var options = ImportOptions()
            options.groups = GroupImportMode(rawValue: form.text("groups")) ?? .add
            options.disableMissing = form["disable_missing"] == "yes"
            options.allowPartial = form["allow_partial"] == "yes"
            do {
                options.columnMap = try ImportOptions.columnMap(reading: form.text("map").split(whereSeparator: \.isNewline).map(String.init))
            } catch let failure as ImportFailure {
                return visit.page(
                    ImportFormView(map: form.text("map"), mapError: failure.message), title: "Import the directory",
                    status: .unprocessableContent)
            }
            options.keptRejections = 200
            options.dryRun = true
            let trial = options
            let summary = try await Self.run(environment, database: database, spool: spool, options: trial)
            var view = ImportResultView(summary, options: options)
            if summary.outcome == .dryRun, !view.wouldRefuse {
                let id = random.hex(16)
                options.dryRun = false
                pending.keep(id: id, upload: .init(spool: spool, userID: session.userID, options: options, at: environment.clock.now()))
                view.uploadID = id
            }
            return visit.page(view, title: "Check the import")
        }
        console.post("import/commit", role: .admin) { form, visit, session, _ in
            guard let upload = pending.take(id: form.text("upload_id"), userID: session.userID, now: environment.clock.now()) else {
                return visit.page(
                    ImportFormView(
                        fileError: "That upload is no longer held (it expired, was committed, or the server restarted). Choose the file again."),
                    title: "Import the directory", status: .unprocessableContent)
            }
            upload.spool.rewind()
            let summary = try await Self.run(environment, database: database, spool: upload.spool, options: upload.options)
            return visit.page(ImportResultView(summary, options: upload.options), title: "Import done")
        }
    }

    private static func run(
        _ environment: LifelineEnvironment, database: Database, spool: UploadSpool, options: ImportOptions
    ) async throws -> ImportSummary {
        do {
            return try await DirectoryImporter(environment).importUsers(
                from: .descriptor(spool.descriptor), path: "the uploaded CSV", options: options, on: database.places)
        } catch ImportFailure.rowsRejected(_, let summary) {
            return summary
        }
    }

    /// What the counts mean, in words a person reads at a glance.
    static let countLabels = [
        "rows": "Rows read", "created": "Users created", "updated": "Users updated", "unchanged": "Users unchanged",
        "disabled": "Users disabled", "re_enabled": "Users re-enabled", "rejected": "Rows rejected",
        "attributes_defined": "Attributes defined", "groups_created": "Groups created",
        "memberships_added": "Memberships added", "memberships_removed": "Memberships removed",
        "numbers_lost": "SMS numbers lost", "numbers_undeliverable": "SMS numbers not deliverable",
    ]

    /// The first line of the result: what happened, in a sentence.
    static func headline(_ summary: ImportSummary) -> String {
        let users = { (count: Int) in count == 1 ? "1 user" : "\(count) users" }
        switch summary.outcome {
        case .written:
            return "The directory is imported: \(users(summary.created)) created, \(summary.updated) updated, "
                + "\(summary.disabled) disabled."
        case .nothingToWrite: return "Nothing to import: every row is as the directory holds it."
        case .dryRun: return "Checked: nothing is written yet. These are the changes committing would make."
        case .refused: return "Refused: nothing was written."
        }
    }
}

/// Uploads checked by a dry run and waiting for their admin to commit them.
final class PendingImports: Sendable {
    static let lifetime: TimeInterval = 30 * 60

    struct Upload: Sendable {
        let spool: UploadSpool
        let userID: Int64
        let options: ImportOptions
        let at: Date
    }

    private let uploads = Mutex<[String: Upload]>([:])

    func keep(id: String, upload: Upload) {
        uploads.withLock { uploads in
            uploads = uploads.filter { upload.at.timeIntervalSince($0.value.at) < Self.lifetime }
            uploads[id] = upload
        }
    }

    /// The upload, once, if it is this user's and still fresh.
    func take(id: String, userID: Int64, now: Date) -> Upload? {
        uploads.withLock { uploads in
            guard let upload = uploads[id], upload.userID == userID else { return nil }
            uploads[id] = nil
            return now.timeIntervalSince(upload.at) < Self.lifetime ? upload : nil
        }
    }
}

/// The import form, with what needs fixing.
struct ImportFormView: PageView {
    static let template = "console-import"
    var map = ""
    var fileError: String?
    var mapError: String?
}

/// What an import did, or (a dry run) would do: the counts, the warnings, the rejections.
struct ImportResultView: PageView {
    static let template = "console-import-result"
    struct Count: PageValues {
        let name: String
        let value: Int
    }
    struct Rejection: PageValues {
        let line: Int
        let reason: String
    }
    struct Warning: PageValues {
        let message: String
        /// A console account loses its number: said loudest.
        let loud: Bool
    }
    let counts: [Count]
    let rejections: [Rejection]
    let hasRejections: Bool
    let moreRejections: Bool
    let rejectedRows: String
    let explanation: String
    let refused: Bool
    let warnings: [Warning]
    /// A dry run whose commit would be refused (rows rejected, and not --allow-partial).
    let wouldRefuse: Bool
    /// The checked upload waiting to be committed.
    var uploadID: String?

    init(_ summary: ImportSummary, options: ImportOptions) {
        counts = summary.counts.map { Count(name: ConsoleImportPages.countLabels[$0.name] ?? $0.name, value: $0.value) }
        rejections = summary.firstRejections.map { Rejection(line: $0.line, reason: $0.reason) }
        hasRejections = !summary.firstRejections.isEmpty
        moreRejections = summary.rejected > summary.firstRejections.count
        rejectedRows = summary.rejected == 1 ? "1 row is" : "\(summary.rejected) rows are"
        explanation = ConsoleImportPages.headline(summary)
        refused = summary.outcome == .refused
        warnings = summary.warnings.map { Warning(message: $0.message, loud: !$0.emails.isEmpty) }
        wouldRefuse = options.dryRun && options.refuses(summary)
    }
}
