import FoundationEssentials
import Glibc
import LifelineStore

/// One entry an LDAP search returned: its DN and the values of the attributes asked for.
public struct LDAPEntry: Sendable, Equatable {
    public let dn: String
    /// By attribute name, lower-cased (LDAP names ignore case).
    public let attributes: [String: [String]]

    public init(dn: String, attributes: [String: [String]]) {
        self.dn = dn
        self.attributes = Dictionary(attributes.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: +)
    }

    public func values(_ name: String) -> [String] { attributes[name.lowercased()] ?? [] }
}

/// A subtree search, paged.
public struct LDAPSearch: Sendable, Equatable {
    public let base: String
    public let filter: String
    public let attributes: [String]
    public let pageSize: Int
}

/// A directory that answers searches: the OpenLDAP client library (LifelineLDAP) in use, an
/// in-memory one in tests.
public protocol LDAPDirectory {
    /// Calls `body` with each entry found, page by page; throws ``LDAPSyncFailure/directory(url:reason:kind:)``
    /// when the server cannot be read.
    func search(_ search: LDAPSearch, _ body: (LDAPEntry) throws -> Void) throws
}

/// What an LDAP directory said, written as an import file: an unnamed private file holding a
/// CSV of the mapped columns, and the DN of each of its lines.
public final class LDAPEntries: @unchecked Sendable {
    let descriptor: Int32
    /// The entries' DNs in file order: line n + 2 (after the header) is `dns[n]`.
    let dns: [String]
    /// Mapped attributes no entry had: left alone rather than cleared for everyone.
    public let absentAttributes: [String]
    public var count: Int { dns.count }

    fileprivate init(descriptor: Int32, dns: [String], absentAttributes: [String]) {
        self.descriptor = descriptor
        self.dns = dns
        self.absentAttributes = absentAttributes
    }

    deinit { close(descriptor) }

    func dn(line: Int) -> String { dns.indices.contains(line - 2) ? dns[line - 2] : "line \(line)" }
}

/// What one sync did: the import's summary, with rejections named by DN.
public struct LDAPSyncSummary: Sendable {
    public let entries: Int
    public let summary: ImportSummary
    public let rejections: [(dn: String, reason: String)]
    /// Mapped attributes no entry had, left alone: see ``LDAPEntries/absentAttributes``.
    public let absentAttributes: [String]
}

/// Applies an LDAP directory (OpenLDAP, Active Directory) to Lifeline's with exactly the
/// import's semantics: counts, rejects, dry run, all-or-nothing, `disable-missing` for
/// leavers. The entries become an import file (one row an entry, the mapped attributes its
/// columns, its groups the groups column) that ``DirectoryImporter`` applies, so every rule
/// is the import's own.
///
/// Two rules are the sync's: a search that finds nobody changes nothing (it would make
/// everyone a leaver), and a mapped attribute that no entry has is left alone rather than
/// cleared for everyone, since that is what a bind account without read access to it sees.
/// An entry that lacks an attribute others have has it cleared, as an empty cell clears it.
public struct LDAPSync: Sendable {
    public let environment: LifelineEnvironment

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    /// Searches `directory` and writes what it found; nothing in Lifeline changes. Blocking:
    /// network reads.
    public func read(_ settings: LDAPSyncSettings, from directory: any LDAPDirectory) throws -> LDAPEntries {
        var groupsByMember: [String: [String]] = [:]
        if settings.groupsFrom == .search {
            let search = LDAPSearch(
                base: settings.groupBase ?? settings.base, filter: settings.groupFilter, attributes: ["cn", "member", "uniqueMember"],
                pageSize: settings.pageSize)
            try directory.search(search) { group in
                let name = group.values("cn").first ?? DistinguishedName.firstValue(of: group.dn)
                guard let name, !name.isEmpty else { return }
                for member in group.values("member") + group.values("uniqueMember") {
                    groupsByMember[DistinguishedName.key(member), default: []].append(name)
                }
            }
        }
        let descriptor: Int32
        do {
            descriptor = try PrivateFile.unnamed(in: PrivateFile.temporaryDirectory)
        } catch {
            throw LDAPSyncFailure.badSetting(name: "temporary folder", reason: "cannot hold the entries: \(error.reason)")
        }
        let writer = FileDescriptorWriter(descriptor: descriptor)
        var pending: [UInt8] = []
        func flush() throws {
            do {
                try writer.write(pending)
            } catch {
                close(descriptor)
                throw LDAPSyncFailure.badSetting(name: "temporary folder", reason: "cannot hold the entries: \(error)")
            }
            pending.removeAll(keepingCapacity: true)
        }
        let columns = settings.map.map(\.target) + (settings.groupsFrom == nil ? [] : ["groups"])
        CSVRecordEncoding.append(columns.map { Array($0.utf8) }, to: &pending)
        var dns: [String] = []
        var present = Array(repeating: false, count: settings.map.count)
        let search = LDAPSearch(base: settings.base, filter: settings.filter, attributes: settings.userAttributes, pageSize: settings.pageSize)
        do {
            try directory.search(search) { entry in
                var fields: [[UInt8]] = []
                for (index, mapping) in settings.map.enumerated() {
                    // A multi-valued attribute (two mobiles) gives its first value, as a directory lists it.
                    let value = entry.values(mapping.attribute).first ?? ""
                    if !value.isEmpty { present[index] = true }
                    fields.append(Array(value.utf8))
                }
                if let source = settings.groupsFrom {
                    let names =
                        source == .memberOf
                        ? entry.values("memberOf").compactMap(DistinguishedName.firstValue(of:))
                        : groupsByMember[DistinguishedName.key(entry.dn)] ?? []
                    fields.append(Array(names.joined(separator: ";").utf8))
                }
                CSVRecordEncoding.append(fields, to: &pending)
                dns.append(entry.dn)
                if pending.count > 1 << 16 { try flush() }
            }
            try flush()
        } catch {
            close(descriptor)
            throw error
        }
        guard !dns.isEmpty else {
            close(descriptor)
            throw LDAPSyncFailure.noEntries(base: settings.base, filter: settings.filter)
        }
        lseek(descriptor, 0, SEEK_SET)
        let absent = settings.map.enumerated().filter { !present[$0.offset] && $0.element.target != "email" }.map(\.element.attribute)
        return LDAPEntries(descriptor: descriptor, dns: dns, absentAttributes: absent)
    }

    /// The import's options for `settings`: absent attributes' columns ignored.
    func options(_ settings: LDAPSyncSettings, entries: LDAPEntries, dryRun: Bool) -> ImportOptions {
        var options = ImportOptions()
        options.groups = settings.groups
        options.disableMissing = settings.disableMissing
        options.allowPartial = settings.allowPartial
        options.dryRun = dryRun
        options.keptRejections = 1_000
        for mapping in settings.map {
            // Columns are named by their targets; the map makes each exactly that (an attribute
            // called cn is an attribute, not the name's alias), or ignores it when no entry had it.
            options.columnMap[mapping.target] = entries.absentAttributes.contains(mapping.attribute) ? "-" : mapping.target
        }
        return options
    }

    /// Applies what was read, on the caller's thread.
    public func apply(_ entries: LDAPEntries, settings: LDAPSyncSettings, dryRun: Bool) throws -> LDAPSyncSummary {
        try summarize(entries) {
            try DirectoryImporter(environment).importUsers(
                from: .descriptor(entries.descriptor), path: "the LDAP entries", options: options(settings, entries: entries, dryRun: dryRun))
        }
    }

    /// Applies what was read: staged among the readers, merged on the writer.
    public func apply(_ entries: LDAPEntries, settings: LDAPSyncSettings, dryRun: Bool, on places: WorkPlaces) async throws -> LDAPSyncSummary {
        let options = options(settings, entries: entries, dryRun: dryRun)
        let summary: ImportSummary
        do {
            summary = try await DirectoryImporter(environment).importUsers(
                from: .descriptor(entries.descriptor), path: "the LDAP entries", options: options, on: places)
        } catch ImportFailure.rowsRejected(_, let refused) {
            summary = refused
        }
        return summarize(entries, summary)
    }

    private func summarize(_ entries: LDAPEntries, _ run: () throws -> ImportSummary) throws -> LDAPSyncSummary {
        do {
            return summarize(entries, try run())
        } catch ImportFailure.rowsRejected(_, let summary) {
            return summarize(entries, summary)
        }
    }

    private func summarize(_ entries: LDAPEntries, _ summary: ImportSummary) -> LDAPSyncSummary {
        LDAPSyncSummary(
            entries: entries.count, summary: summary,
            rejections: summary.firstRejections.map { (entries.dn(line: $0.line), $0.reason) }, absentAttributes: entries.absentAttributes)
    }

    /// The run as the console shows it.
    public static func record(
        _ result: Result<LDAPSyncSummary, any Error>, actor: String, startedAt: Date, finishedAt: Date
    ) -> DirectorySyncRecord {
        switch result {
        case .success(let sync):
            var record = DirectorySyncRecord(
                source: .ldap, actor: actor, startedAt: startedAt, finishedAt: finishedAt, outcome: sync.summary.outcome.rawValue)
            record.entries = sync.entries
            record.created = sync.summary.created
            record.updated = sync.summary.updated
            record.unchanged = sync.summary.unchanged
            record.disabled = sync.summary.disabled
            record.rejected = sync.summary.rejected
            if !sync.absentAttributes.isEmpty {
                record.detail = "no entry had \(sync.absentAttributes.joined(separator: ", ")): left alone"
            }
            return record
        case .failure(let error):
            var record = DirectorySyncRecord(source: .ldap, actor: actor, startedAt: startedAt, finishedAt: finishedAt, outcome: "failed")
            record.detail = String(describing: error)
            return record
        }
    }

    /// Records a run (`lifeline sync ldap`'s, or the server's) for the console.
    public func record(_ record: DirectorySyncRecord) throws {
        try environment.database.write { connection in try DirectorySyncStore(connection: connection).record(record) }
    }

    /// The latest run, for the console and for servers deciding whether one is due.
    public func latest() throws -> DirectorySyncRecord? {
        try environment.database.read { connection in try DirectorySyncStore(connection: connection).latest(source: .ldap) }
    }
}

/// Distinguished names (RFC 4514), as far as a sync reads them.
enum DistinguishedName {
    /// The value of the first RDN: `Night Shift` of `cn=Night Shift,ou=Groups,dc=example,dc=org`,
    /// with `\,` and `\2C` escapes read.
    static func firstValue(of dn: String) -> String? {
        guard let equals = dn.firstIndex(of: "=") else { return nil }
        var bytes: [UInt8] = []
        var iterator = Array(dn[dn.index(after: equals)...].utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "+") { break }
            guard byte == UInt8(ascii: "\\") else {
                bytes.append(byte)
                continue
            }
            guard let next = iterator.next() else { break }
            if let high = FormEncoding.hexValue(next) {
                // Either \XX (a byte in hex) or \c (a special character) where c is a hex digit.
                if let low = iterator.next() {
                    if let lowValue = FormEncoding.hexValue(low) {
                        bytes.append(high << 4 | lowValue)
                    } else {
                        bytes.append(next)
                        if low == UInt8(ascii: ",") || low == UInt8(ascii: "+") { break }
                        bytes.append(low)
                    }
                } else {
                    bytes.append(next)
                }
            } else {
                bytes.append(next)
            }
        }
        let value = String(decoding: bytes, as: UTF8.self).trimmingBlanks()
        return value.isEmpty ? nil : value
    }

    /// A DN as compared: case and the spaces around separators ignored.
    static func key(_ dn: String) -> String {
        dn.split(separator: ",").map { part in
            part.split(separator: "=", maxSplits: 1).map { String($0).trimmingBlanks() }.joined(separator: "=")
        }.joined(separator: ",").lowercased()
    }
}
