import ArgumentParser
import FoundationEssentials
import LifelineLDAP
import LifelineService

extension LDAPGroupSource: ExpressibleByArgument {}

extension Lifeline {
    /// `lifeline sync`: brings the directory up to date from another one.
    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sync",
            abstract: "Bring the directory up to date from an LDAP directory.",
            discussion: """
                Example:
                  lifeline sync ldap --config /etc/lifeline/ldap-sync.conf --dry-run
                """, subcommands: [LDAP.self])
    }
}

extension Lifeline.Sync {
    /// `lifeline sync ldap`: reads users from LDAP and applies them as `import users` would.
    struct LDAP: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ldap",
            abstract: "Read users from an LDAP directory (OpenLDAP, Active Directory) and apply them as an import.",
            discussion: """
                Every entry the search finds is a row of an import: its mapped attributes the columns \
                (--map mail=email,displayName=name,mobile=mobile by default), its groups the groups column \
                (--groups-from memberOf or search). The counts, rejections, dry run, all-or-nothing and \
                --disable-missing are the import's. A search that finds nobody changes nothing, and an \
                attribute no entry has (the bind account may not read it) is left alone rather than \
                cleared for everyone. A wrong password, an unreachable server or a bad filter is an error \
                that changes nothing.

                The settings can come from a file instead (--config), one `name = value` a line, named as \
                these options are (url, base, bind-dn, password-file, map, groups-from, disable-missing…): \
                the form `lifeline serve --sync-ldap-every` reads.

                Example:
                  lifeline sync ldap --url ldaps://dc1.corp --base OU=Staff,DC=corp --dry-run
                  lifeline sync ldap --config /etc/lifeline/ldap-sync.conf
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var actor: ActorOption

        @Option(help: "A file of settings, one `name = value` a line; the connection options below are then not given.")
        var config: String?
        @Option(help: "ldap://HOST[:PORT], ldaps://HOST[:PORT] or ldapi://.") var url: String?
        @Flag(help: "StartTLS on an ldap:// URL before binding.") var starttls = false
        @Option(help: "The CA certificates (PEM) the server's certificate must chain to (default: the system's).") var caFile: String?
        @Option(help: "The DN to bind as (default: an anonymous bind).") var bindDN: String?
        @Option(help: "A file whose first line is the bind password.") var passwordFile: String?
        @Option(help: "Where users are searched (the whole subtree).") var base: String?
        @Option(help: "The users' filter (default: \(LDAPSyncSettings.defaultFilter)).") var filter: String?
        @Option(help: "LDAPATTRIBUTE=WHAT pairs, comma-separated: email, name, or an attribute's name.") var map: String?
        @Option(help: "Where groups come from: memberOf (each user's), or search (group entries' member).") var groupsFrom: LDAPGroupSource?
        @Option(help: "Where groups are searched, with --groups-from search (default: --base).") var groupBase: String?
        @Option(help: "add: add the directory's memberships; replace: make each user's memberships exactly the directory's.")
        var groups: GroupImportMode?
        @Flag(help: "Disable active users the search did not find; re-enable disabled users it found.") var disableMissing = false
        @Flag(help: "Write the good entries even when some are rejected.") var allowPartial = false
        @Flag(help: "Read and validate everything, report what would happen, write nothing.") var dryRun = false

        func validate() throws {
            if config != nil {
                let given = [url, caFile, bindDN, passwordFile, base, filter, map, groupBase].contains { $0 != nil }
                if given || starttls || groupsFrom != nil || groups != nil || disableMissing || allowPartial {
                    throw ValidationError("--config holds the settings: give only --dry-run with it")
                }
            } else if url == nil || base == nil {
                throw ValidationError("give --url and --base (or --config FILE)")
            }
        }

        func run() throws {
            let settings = try settings()
            let started = Date()
            let sync = LDAPSync(global.environment)
            let result: Result<LDAPSyncSummary, any Error>
            do {
                let directory = try LDAPClient(settings: settings)
                let entries = try sync.read(settings, from: directory)
                result = .success(try sync.apply(entries, settings: settings, dryRun: dryRun))
            } catch {
                result = .failure(error)
            }
            if !dryRun {
                try sync.record(LDAPSync.record(result, actor: actor.name, startedAt: started, finishedAt: Date()))
            }
            let outcome = try result.get()
            Self.report(outcome, format: output.format)
            if dryRun { Diagnostics.note("Dry run: nothing was written.") }
            if outcome.summary.outcome == .refused { throw LDAPSyncRefused(rejected: outcome.summary.rejected) }
        }

        /// The settings from --config, or from the options.
        func settings() throws -> LDAPSyncSettings {
            if let config {
                guard let data = FileManager.default.contents(atPath: config) else {
                    throw LDAPSyncFailure.badFile(path: config, line: nil, reason: "cannot be read")
                }
                return try LDAPSyncSettings(file: String(decoding: data, as: UTF8.self), path: config).checked()
            }
            var settings = LDAPSyncSettings(url: url ?? "", base: base ?? "")
            settings.startTLS = starttls
            settings.caFile = caFile
            settings.bindDN = bindDN
            settings.passwordFile = passwordFile
            if let filter { settings.filter = filter }
            if let map { settings.map = try LDAPSyncSettings.map(reading: map) }
            settings.groupsFrom = groupsFrom
            settings.groupBase = groupBase
            settings.groups = groups ?? .add
            settings.disableMissing = disableMissing
            settings.allowPartial = allowPartial
            return try settings.checked()
        }

        /// Rejections by DN, then the import's counts with the entries read, then warnings.
        static func report(_ sync: LDAPSyncSummary, format: OutputFormat) {
            let shown = sync.rejections.prefix(10)
            for rejection in shown { Diagnostics.note("\(rejection.dn): \(rejection.reason)") }
            if sync.summary.rejected > shown.count { Diagnostics.note("… and \(sync.summary.rejected - shown.count) more rejected entries") }
            var table = Lifeline.Import.Users.table(sync.summary)
            if case .record(let fields) = table { table = .record([fields[0], ("entries", Cell(sync.entries))] + fields.dropFirst()) }
            ResultWriter(format: format).print(table)
            for attribute in sync.absentAttributes {
                Diagnostics.note("warning: no entry had \(attribute): left alone (can the bind account read it?)")
            }
            for warning in sync.summary.warnings {
                Diagnostics.note((warning.emails.isEmpty ? "warning: " : "WARNING: ") + warning.message)
            }
        }
    }
}

/// A sync refused because entries were rejected (exit 65); the entries were listed above.
struct LDAPSyncRefused: LifelineFailure {
    let rejected: Int
    var kind: FailureKind { .badInput }
    var message: String { "\(rejected) entr\(rejected == 1 ? "y was" : "ies were") rejected, so nothing was written" }
    var remedy: String? { "fix them in the directory, narrow --filter, or pass --allow-partial" }
}
