import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

/// A directory held in memory, answering searches by base alone (the filter is the server's
/// business, tested against slapd end to end).
struct MemoryDirectory: LDAPDirectory {
    var entries: [LDAPEntry]
    var groups: [LDAPEntry] = []

    func search(_ search: LDAPSearch, _ body: (LDAPEntry) throws -> Void) throws {
        for entry in (search.base.hasPrefix("ou=Groups") ? groups : entries) { try body(entry) }
    }
}

/// The sync's own rules over the import's: groups from memberOf and from group entries, an
/// attribute no entry has left alone, and its settings file.
struct LDAPSyncTests {
    static func person(_ uid: String, mobile: String? = nil, memberOf: [String] = []) -> LDAPEntry {
        var attributes = ["mail": ["\(uid)@example.org"], "displayName": ["Person \(uid)"]]
        if let mobile { attributes["mobile"] = [mobile] }
        if !memberOf.isEmpty { attributes["memberOf"] = memberOf }
        return LDAPEntry(dn: "uid=\(uid),ou=People,dc=example,dc=org", attributes: attributes)
    }

    static func settings(groupsFrom: LDAPGroupSource? = nil) -> LDAPSyncSettings {
        var settings = LDAPSyncSettings(url: "ldap://127.0.0.1", base: "ou=People,dc=example,dc=org")
        settings.groupsFrom = groupsFrom
        settings.groupBase = "ou=Groups,dc=example,dc=org"
        return settings
    }

    func sync(_ directory: MemoryDirectory, _ settings: LDAPSyncSettings, on fixture: DirectoryFixture) throws -> LDAPSyncSummary {
        let sync = LDAPSync(.testing(fixture.settings))
        return try sync.apply(try sync.read(settings, from: directory), settings: settings, dryRun: false)
    }

    @Test(arguments: TestEngine.allCases) func groupsComeFromMemberOfOrFromGroupEntries(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            let memberOf = MemoryDirectory(entries: [
                Self.person("ann", memberOf: [#"CN=Smith\, Jones Team,OU=Groups,DC=example,DC=org"#, "cn=Night Shift,ou=Groups,dc=example,dc=org"]),
                Self.person("bob", memberOf: [#"cn=Caf\C3\A9,ou=Groups,dc=example,dc=org"#]),
            ])
            let first = try sync(memberOf, Self.settings(groupsFrom: .memberOf), on: fixture)
            #expect(first.summary.created == 2 && first.summary.groupsCreated == 3)
            let queries = DirectoryQueries(.testing(fixture.settings))
            #expect(try queries.user(email: "ann@example.org").groups.sorted() == ["Night Shift", "Smith, Jones Team"])
            #expect(try queries.user(email: "bob@example.org").groups == ["Café"])

            let searched = MemoryDirectory(
                entries: memberOf.entries,
                groups: [
                    LDAPEntry(dn: "cn=Leads,ou=Groups,dc=example,dc=org", attributes: [
                        "cn": ["Leads"], "member": ["UID=ann, ou=People,dc=example,dc=org"],
                    ])
                ])
            let second = try sync(searched, Self.settings(groupsFrom: .search), on: fixture)
            #expect(second.summary.membershipsAdded == 1)
            #expect(try queries.user(email: "ann@example.org").groups.contains("Leads"))
        }
    }

    /// A bind account that may not read `mobile` sees no entry with one: the numbers stay,
    /// rather than every number being cleared. One entry without it among others clears it.
    @Test(arguments: TestEngine.allCases) func anAttributeNoEntryHasIsLeftAloneAndOneEntryWithoutItIsCleared(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            let full = MemoryDirectory(entries: [Self.person("ann", mobile: "+447700900001"), Self.person("bob", mobile: "+447700900002")])
            _ = try sync(full, Self.settings(), on: fixture)
            let unreadable = MemoryDirectory(entries: [Self.person("ann"), Self.person("bob")])
            let blind = try sync(unreadable, Self.settings(), on: fixture)
            #expect(blind.absentAttributes == ["mobile"] && blind.summary.updated == 0)
            let queries = DirectoryQueries(.testing(fixture.settings))
            #expect(try queries.user(email: "ann@example.org").attributes.contains { $0 == ("mobile", "+447700900001") })

            let oneRemoved = MemoryDirectory(entries: [Self.person("ann"), Self.person("bob", mobile: "+447700900002")])
            let cleared = try sync(oneRemoved, Self.settings(), on: fixture)
            #expect(cleared.absentAttributes.isEmpty && cleared.summary.updated == 1)
            #expect(try !queries.user(email: "ann@example.org").attributes.contains { $0.name == "mobile" })
        }
    }

    @Test(arguments: TestEngine.allCases) func rejectionsAreNamedByDNAndASearchThatFindsNobodyChangesNothing(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            let broken = MemoryDirectory(entries: [
                Self.person("ann"), LDAPEntry(dn: "uid=eve,ou=People,dc=example,dc=org", attributes: ["mail": ["not an address"]]),
            ])
            let refused = try sync(broken, Self.settings(), on: fixture)
            #expect(refused.summary.outcome == .refused && refused.summary.rejected == 1)
            #expect(refused.rejections.first?.dn == "uid=eve,ou=People,dc=example,dc=org")
            #expect(throws: LDAPSyncFailure.noEntries(base: "ou=People,dc=example,dc=org", filter: LDAPSyncSettings.defaultFilter)) {
                try sync(MemoryDirectory(entries: []), Self.settings(), on: fixture)
            }
        }
    }

    @Test func distinguishedNamesGiveTheirFirstValue() {
        #expect(DistinguishedName.firstValue(of: "cn=Night Shift,ou=Groups,dc=example,dc=org") == "Night Shift")
        #expect(DistinguishedName.firstValue(of: #"CN=Smith\, Jones,OU=x"#) == "Smith, Jones")
        #expect(DistinguishedName.firstValue(of: #"cn=a\2Cb,ou=x"#) == "a,b")
        #expect(DistinguishedName.firstValue(of: "no equals sign") == nil)
        #expect(DistinguishedName.key("UID=ann, OU=People,dc=Example") == DistinguishedName.key("uid=ann,ou=people,dc=example"))
    }

    @Test func theSettingsFileIsReadWithEachProblemAtItsLine() throws {
        let text = """
            # comment
            url = ldaps://dc1.corp.example
            base = OU=Staff,DC=corp,DC=example
            map = mail=email, displayName=name, mobile=mobile
            groups-from = memberOf
            disable-missing = yes
            page-size = 1000
            """
        let settings = try LDAPSyncSettings(file: text, path: "sync.conf").checked()
        #expect(settings.url == "ldaps://dc1.corp.example" && settings.groupsFrom == .memberOf && settings.disableMissing)
        #expect(settings.map.map(\.target) == ["email", "name", "mobile"] && settings.pageSize == 1000)
        #expect(throws: LDAPSyncFailure.badFile(path: "sync.conf", line: 2, reason: "'colour' is not a setting; the settings are " + LDAPSyncSettings.fileNames.sorted().joined(separator: ", "))) {
            try LDAPSyncSettings(file: "url = ldap://x\ncolour = blue", path: "sync.conf")
        }
        #expect(throws: LDAPSyncFailure.self) { try LDAPSyncSettings(file: "url = ldap://x", path: "sync.conf") }
        #expect(throws: LDAPSyncFailure.self) { try LDAPSyncSettings(file: "url = http://x\nbase = dc=x", path: "sync.conf").checked() }
        #expect(throws: LDAPSyncFailure.self) { try LDAPSyncSettings(file: "url = ldap://x\nbase = dc=x\nmap = displayName=name", path: "s").checked() }
    }
}
