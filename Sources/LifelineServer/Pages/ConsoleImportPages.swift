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
            visit.page("console-import", title: "Import the directory")
        }
        console.upload("import", role: .admin) { upload, visit, session, _ in
            let form = upload.form
            guard let spool = upload.file, spool.size > 0 else {
                return visit.page(
                    "console-import", title: "Import the directory", ["file_error": "Choose the CSV file to import."],
                    status: .unprocessableContent)
            }
            var options = ImportOptions()
            options.groups = GroupImportMode(rawValue: form.text("groups")) ?? .add
            options.disableMissing = form["disable_missing"] == "yes"
            options.allowPartial = form["allow_partial"] == "yes"
            do {
                options.columnMap = try ImportOptions.columnMap(reading: form.text("map").split(whereSeparator: \.isNewline).map(String.init))
            } catch let failure as ImportFailure {
                return visit.page(
                    "console-import", title: "Import the directory", ["map_error": failure.message, "map": form.text("map")],
                    status: .unprocessableContent)
            }
            options.keptRejections = 200
            options.dryRun = true
            let trial = options
            let summary = try await Self.run(environment, database: database, spool: spool, options: trial)
            var values = Self.values(summary, options: options)
            let refuses = options.refuses(summary)
            values["would_refuse"] = refuses
            if summary.outcome == .dryRun, !refuses {
                let id = random.hex(16)
                options.dryRun = false
                pending.keep(id: id, upload: .init(spool: spool, userID: session.userID, options: options, at: environment.clock.now()))
                values["upload_id"] = id
            }
            return visit.page("console-import-result", title: "Check the import", values)
        }
        console.post("import/commit", role: .admin) { form, visit, session, _ in
            guard let upload = pending.take(id: form.text("upload_id"), userID: session.userID, now: environment.clock.now()) else {
                return visit.page(
                    "console-import", title: "Import the directory",
                    ["file_error": "That upload is no longer held (it expired, was committed, or the server restarted). Choose the file again."],
                    status: .unprocessableContent)
            }
            upload.spool.rewind()
            let summary = try await Self.run(environment, database: database, spool: upload.spool, options: upload.options)
            return visit.page("console-import-result", title: "Import done", Self.values(summary, options: upload.options))
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

    static func values(_ summary: ImportSummary, options: ImportOptions) -> [String: Any] {
        [
            "counts": summary.counts.map { ["name": countLabels[$0.name] ?? $0.name, "value": $0.value] as [String: Any] },
            "rejections": summary.firstRejections.map { ["line": $0.line, "reason": $0.reason] as [String: Any] },
            "has_rejections": !summary.firstRejections.isEmpty,
            "more_rejections": summary.rejected > summary.firstRejections.count,
            "rejected": summary.rejected,
            "rejected_rows": summary.rejected == 1 ? "1 row is" : "\(summary.rejected) rows are",
            "explanation": headline(summary),
            "written": summary.isWritten,
            "refused": summary.outcome == .refused,
            "warnings": summary.warnings.map { ["message": $0.message, "loud": !$0.emails.isEmpty] as [String: Any] },
        ]
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
