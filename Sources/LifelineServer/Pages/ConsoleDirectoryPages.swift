import Hummingbird
import LifelineService
import LifelineStore

/// The directory's sources (admins): where identity providers provision over SCIM and how
/// their attributes map, the latest LDAP sync with its counts, and the latest changes either
/// made.
struct ConsoleDirectoryPages {
    let site: PageSite

    func add(to console: ConsoleRouter) {
        let environment = site.environment
        let database = site.database
        console.get("directory", role: .admin) { request, visit, _, _ in
            var view = try await Self.view(environment, database: database)
            if request.uri.queryParameters.get("map_saved") != nil { view.notice = "The attribute map is saved: the next request uses it." }
            return visit.page(view, title: "Directory sources")
        }
        console.post("directory/map", role: .admin) { form, visit, _, _ in
            let lines = form.text("map")
            do {
                try await database.write { try ProvisioningOverview.saveMap(lines: lines, environment) }
            } catch let failure as SettingsFailure {
                var view = try await Self.view(environment, database: database)
                view.map = lines
                view.mapError = PageText.sentence(failure.message)
                return visit.page(view, title: "Directory sources", status: .unprocessableContent)
            }
            return visit.redirect("/console/directory?map_saved=1")
        }
    }

    static func view(_ environment: LifelineEnvironment, database: Database) async throws -> DirectorySourcesView {
        let overview = try await database.read { try ProvisioningOverview.current(environment) }
        return DirectorySourcesView(
            map: overview.mapLines.joined(separator: "\n"), isDefaultMap: overview.isDefaultMap,
            sync: overview.latestLDAPSync.map(DirectorySourcesView.Sync.init), noSync: overview.latestLDAPSync == nil,
            changes: overview.changes.map(DirectorySourcesView.Change.init), noChanges: overview.changes.isEmpty)
    }
}

/// The directory sources page.
struct DirectorySourcesView: PageView {
    static let template = "console-directory"
    struct Sync: PageValues {
        init(when: String, actor: String, outcome: String, failed: Bool, counts: String, detail: String, hasDetail: Bool) {
            (self.when, self.actor, self.outcome, self.failed, self.counts, self.detail, self.hasDetail) =
                (when, actor, outcome, failed, counts, detail, hasDetail)
        }

        let when: String
        let actor: String
        let outcome: String
        let failed: Bool
        let counts: String
        let detail: String
        let hasDetail: Bool

        init(_ record: DirectorySyncRecord) {
            when = PageTime.text(record.startedAt)
            actor = record.actor
            outcome = record.outcome.replacing("_", with: " ")
            failed = record.outcome == "failed"
            counts =
                failed
                ? ""
                : "\(record.entries) entries: \(record.created) created, \(record.updated) updated, \(record.unchanged) unchanged, "
                    + "\(record.disabled) disabled, \(record.rejected) rejected"
            detail = record.detail ?? ""
            hasDetail = record.detail != nil
        }
    }
    struct Change: PageValues {
        let when: String
        let source: String
        let actor: String
        let subject: String
        let summary: String

        init(when: String, source: String, actor: String, subject: String, summary: String) {
            (self.when, self.source, self.actor, self.subject, self.summary) = (when, source, actor, subject, summary)
        }

        init(_ record: DirectoryChangeRecord) {
            when = PageTime.text(record.changedAt)
            source = record.source.rawValue
            actor = record.actor
            subject = record.groupName.map { "group \($0)" } ?? record.userID.map { "user \($0)" } ?? ""
            summary = record.summary
        }
    }
    var map: String
    let isDefaultMap: Bool
    var mapError: String?
    let sync: Sync?
    let noSync: Bool
    let changes: [Change]
    let noChanges: Bool
    var notice: String?
}
