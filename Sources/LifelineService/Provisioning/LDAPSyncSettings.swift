import FoundationEssentials

/// Where memberships come from in an LDAP sync.
public enum LDAPGroupSource: String, Sendable, CaseIterable {
    /// Each user entry's `memberOf` (Active Directory; OpenLDAP with the memberof overlay).
    case memberOf
    /// A search for group entries, whose `member` or `uniqueMember` name the users.
    case search
}

/// Everything one LDAP sync needs: where the directory is, how to sign in, what to read and how
/// to apply it. `lifeline sync ldap` takes it from options or a file; `lifeline serve
/// --sync-ldap-every` from a file only, so the password is never on a command line.
public struct LDAPSyncSettings: Sendable, Equatable {
    /// `ldap://`, `ldaps://` or `ldapi://`, with an optional port.
    public var url: String
    /// StartTLS on an `ldap://` URL before binding.
    public var startTLS = false
    /// The CA certificates (PEM) the server's certificate must chain to; unset, the system's.
    public var caFile: String?
    /// The DN to bind as; unset, an anonymous bind.
    public var bindDN: String?
    /// A file holding the bind password (its first line).
    public var passwordFile: String?
    /// Where users are searched, the whole subtree.
    public var base: String
    public var filter = Self.defaultFilter
    /// LDAP attribute → what it fills: `email`, `name`, or an attribute of that name.
    public var map: [(attribute: String, target: String)] = Self.defaultMap
    public var groupsFrom: LDAPGroupSource?
    /// Where groups are searched (`groupsFrom` search); unset, `base`.
    public var groupBase: String?
    public var groupFilter = Self.defaultGroupFilter
    public var groups: GroupImportMode = .add
    public var disableMissing = false
    public var allowPartial = false
    /// Entries a page (RFC 2696); Active Directory answers at most 1,000.
    public var pageSize = 500
    /// Seconds to connect, and for each operation.
    public var timeoutSeconds = 30

    /// People with an address: entries without `mail` (service accounts, rooms) are not users.
    public static let defaultFilter = "(&(objectClass=person)(mail=*))"
    public static let defaultGroupFilter = "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=group))"
    public static let defaultMap: [(attribute: String, target: String)] = [("mail", "email"), ("displayName", "name"), ("mobile", "mobile")]

    public init(url: String, base: String) {
        self.url = url
        self.base = base
    }

    public static func == (left: LDAPSyncSettings, right: LDAPSyncSettings) -> Bool {
        left.url == right.url && left.startTLS == right.startTLS && left.caFile == right.caFile && left.bindDN == right.bindDN
            && left.passwordFile == right.passwordFile && left.base == right.base && left.filter == right.filter
            && left.map.map(\.attribute) == right.map.map(\.attribute) && left.map.map(\.target) == right.map.map(\.target)
            && left.groupsFrom == right.groupsFrom && left.groupBase == right.groupBase && left.groupFilter == right.groupFilter
            && left.groups == right.groups && left.disableMissing == right.disableMissing && left.allowPartial == right.allowPartial
            && left.pageSize == right.pageSize && left.timeoutSeconds == right.timeoutSeconds
    }

    /// The attributes a user search asks for.
    var userAttributes: [String] {
        var names = map.map(\.attribute)
        if groupsFrom == .memberOf { names.append("memberOf") }
        return names
    }

    /// Checks what options or a file gave: each problem names the setting.
    public func checked() throws -> LDAPSyncSettings {
        let scheme = url.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } ?? ""
        guard ["ldap", "ldaps", "ldapi"].contains(scheme), url.contains("://") else {
            throw LDAPSyncFailure.badSetting(name: "url", reason: "must be ldap://HOST, ldaps://HOST or ldapi://, not '\(url)'")
        }
        if startTLS && scheme != "ldap" {
            throw LDAPSyncFailure.badSetting(name: "starttls", reason: "is for ldap:// URLs; ldaps:// is TLS from the first byte")
        }
        if base.trimmingBlanks().isEmpty { throw LDAPSyncFailure.badSetting(name: "base", reason: "names no DN") }
        for (name, text) in [("filter", filter), ("group-filter", groupFilter)] {
            guard text.hasPrefix("("), text.hasSuffix(")") else {
                throw LDAPSyncFailure.badSetting(name: name, reason: "must be an LDAP filter in parentheses, such as (objectClass=person), not '\(text)'")
            }
        }
        guard map.contains(where: { $0.target == "email" }) else {
            throw LDAPSyncFailure.badSetting(name: "map", reason: "names no attribute for email (such as mail=email)")
        }
        var seen: Set<String> = []
        for entry in map {
            if entry.target.lowercased() == "groups" {
                throw LDAPSyncFailure.badSetting(name: "map", reason: "cannot fill groups: use groups-from memberOf or search")
            }
            guard seen.insert(NameKey.of(entry.target)).inserted else {
                throw LDAPSyncFailure.badSetting(name: "map", reason: "fills '\(entry.target)' twice")
            }
        }
        guard (1...1_000).contains(pageSize) else { throw LDAPSyncFailure.badSetting(name: "page-size", reason: "must be 1 to 1000") }
        guard (1...600).contains(timeoutSeconds) else { throw LDAPSyncFailure.badSetting(name: "timeout", reason: "must be 1 to 600 seconds") }
        return self
    }

    /// Reads `ATTRIBUTE=WHAT` pairs separated by commas (`mail=email,displayName=name,mobile=mobile`).
    public static func map(reading text: String) throws -> [(attribute: String, target: String)] {
        try text.split(separator: ",").map { String($0).trimmingBlanks() }.filter { !$0.isEmpty }.map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).trimmingBlanks() }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
                parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == ";" })
            else {
                throw LDAPSyncFailure.badSetting(name: "map", reason: "'\(pair)' is not LDAPATTRIBUTE=WHAT (such as mobile=mobile)")
            }
            return (parts[0], parts[1])
        }
    }

    /// The settings a file holds: one `name = value` a line, named as `lifeline sync ldap`'s
    /// options are (`url`, `base`, `bind-dn`, `password-file`, `map`…); `#` starts a comment.
    public init(file text: String, path: String) throws {
        var values: [String: String] = [:]
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = String(rawLine).trimmingBlanks()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw LDAPSyncFailure.badFile(path: path, line: index + 1, reason: "'\(line)' is not name = value")
            }
            let name = String(line[..<equals]).trimmingBlanks().lowercased()
            let value = String(line[line.index(after: equals)...]).trimmingBlanks()
            guard Self.fileNames.contains(name) else {
                throw LDAPSyncFailure.badFile(
                    path: path, line: index + 1, reason: "'\(name)' is not a setting; the settings are \(Self.fileNames.sorted().joined(separator: ", "))")
            }
            guard values[name] == nil else { throw LDAPSyncFailure.badFile(path: path, line: index + 1, reason: "'\(name)' is set twice") }
            values[name] = value
        }
        func required(_ name: String) throws -> String {
            guard let value = values[name], !value.isEmpty else { throw LDAPSyncFailure.badFile(path: path, line: nil, reason: "it sets no \(name)") }
            return value
        }
        func flag(_ name: String) throws -> Bool {
            guard let value = values[name] else { return false }
            switch value.lowercased() {
            case "yes", "true", "on", "1": return true
            case "no", "false", "off", "0": return false
            default: throw LDAPSyncFailure.badFile(path: path, line: nil, reason: "\(name) must be yes or no, not '\(value)'")
            }
        }
        func number(_ name: String) throws -> Int? {
            guard let value = values[name] else { return nil }
            guard let number = Int(value) else { throw LDAPSyncFailure.badFile(path: path, line: nil, reason: "\(name) must be a whole number, not '\(value)'") }
            return number
        }
        self.init(url: try required("url"), base: try required("base"))
        startTLS = try flag("starttls")
        caFile = values["ca-file"]
        bindDN = values["bind-dn"]
        passwordFile = values["password-file"]
        if let filter = values["filter"] { self.filter = filter }
        if let map = values["map"] { self.map = try Self.map(reading: map) }
        if let source = values["groups-from"] {
            guard let parsed = LDAPGroupSource(rawValue: source) else {
                throw LDAPSyncFailure.badFile(path: path, line: nil, reason: "groups-from must be memberOf or search, not '\(source)'")
            }
            groupsFrom = parsed
        }
        groupBase = values["group-base"]
        if let groupFilter = values["group-filter"] { self.groupFilter = groupFilter }
        if let mode = values["groups"] {
            guard let parsed = GroupImportMode(rawValue: mode) else {
                throw LDAPSyncFailure.badFile(path: path, line: nil, reason: "groups must be add or replace, not '\(mode)'")
            }
            groups = parsed
        }
        disableMissing = try flag("disable-missing")
        allowPartial = try flag("allow-partial")
        pageSize = try number("page-size") ?? pageSize
        timeoutSeconds = try number("timeout") ?? timeoutSeconds
    }

    static let fileNames: Set<String> = [
        "url", "starttls", "ca-file", "bind-dn", "password-file", "base", "filter", "map", "groups-from", "group-base",
        "group-filter", "groups", "disable-missing", "allow-partial", "page-size", "timeout",
    ]

    /// The bind password: the first line of `passwordFile`; nil for an anonymous bind.
    public func password() throws -> String? {
        guard let passwordFile else { return nil }
        guard let data = FileManager.default.contents(atPath: passwordFile), let text = String(data: data, encoding: .utf8) else {
            throw LDAPSyncFailure.badSetting(name: "password-file", reason: "cannot read '\(passwordFile)'")
        }
        return String(text.split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: \.isNewline).first ?? "")
    }
}

/// An LDAP sync that cannot run: its settings, or the directory it reads.
public enum LDAPSyncFailure: LifelineFailure, Equatable {
    case badSetting(name: String, reason: String)
    case badFile(path: String, line: Int?, reason: String)
    /// The directory could not be read: unreachable, a refused bind, a bad filter. Nothing changed.
    case directory(url: String, reason: String, kind: FailureKind)
    /// The search found nobody: applying it would treat everyone as a leaver.
    case noEntries(base: String, filter: String)

    public var kind: FailureKind {
        switch self {
        case .badSetting, .badFile: .usage
        case .directory(_, _, let kind): kind
        case .noEntries: .badInput
        }
    }

    public var message: String {
        switch self {
        case .badSetting(let name, let reason): "the LDAP setting \(name) \(reason)"
        case .badFile(let path, let line, let reason): "\(path)\(line.map { ":\($0)" } ?? ""): \(reason)"
        case .directory(let url, let reason, _): "LDAP \(url): \(reason); nothing was changed"
        case .noEntries(let base, let filter): "the search under \(base) for \(filter) found no entries; nothing was changed"
        }
    }

    public var remedy: String? {
        switch self {
        case .noEntries: "check the base and the filter (lifeline sync ldap --dry-run shows what a sync would do)"
        default: nil
        }
    }
}
