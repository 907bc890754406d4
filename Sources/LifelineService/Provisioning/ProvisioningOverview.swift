import FoundationEssentials
import LifelineStore

/// What the console's directory page shows: how SCIM maps attributes, the latest LDAP sync,
/// and the latest changes identity providers and syncs made.
public struct ProvisioningOverview: Sendable {
    /// The map, one `PATH=ATTRIBUTE` entry a line, as an admin edits it.
    public let mapLines: [String]
    public let isDefaultMap: Bool
    public let latestLDAPSync: DirectorySyncRecord?
    public let changes: [DirectoryChangeRecord]

    /// The overview now, with the `changeCount` latest changes.
    public static func current(_ environment: LifelineEnvironment, changeCount: Int = 20) throws -> ProvisioningOverview {
        try environment.database.read { connection in
            let stored = try SettingsStore(connection: connection).value(for: SCIMAttributeMap.key)
            let map = try SCIMAttributeMap.current(connection: connection)
            return ProvisioningOverview(
                mapLines: map.entries.map { "\($0.pathText)=\($0.attribute)" }, isDefaultMap: stored == nil,
                latestLDAPSync: try DirectorySyncStore(connection: connection).latest(source: .ldap),
                changes: try ProvisioningStore(connection: connection).changes(limit: changeCount))
        }
    }

    /// Saves a map an admin wrote one entry a line; checked as `settings set scim.attributes` is.
    public static func saveMap(lines text: String, _ environment: LifelineEnvironment) throws {
        let entries = text.split(whereSeparator: \.isNewline).map { String($0).trimmingBlanks() }.filter { !$0.isEmpty }
        try SettingsService(environment).set(SCIMAttributeMap.key, to: entries.joined(separator: ";"))
    }
}
