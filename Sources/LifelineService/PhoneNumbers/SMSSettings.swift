import FoundationEssentials
import LifelineStore

/// The SMS attribute setting: which user attribute holds SMS numbers.
struct SMSSettings {
    static let attributeKey = "sms.attribute"
    let connection: any SQLConnection

    /// The chosen attribute with its value count, or nil when none is chosen (or it no longer exists).
    func attribute() throws -> AttributeDefinition? {
        guard let name = try SettingsStore(connection: connection).value(for: Self.attributeKey) else { return nil }
        return try DirectoryStore(connection: connection).attribute(named: name)
    }

    /// The chosen attribute's id and name (no value count: cheap enough for every message).
    func identity() throws -> (id: Int64, name: String)? {
        guard let name = try SettingsStore(connection: connection).value(for: Self.attributeKey) else { return nil }
        return try DirectoryStore(connection: connection).attributeIdentity(named: name)
    }

    /// The user's valid SMS number (``SMSNumberRule``), or nil when they have none.
    func currentNumber(userID: Int64) throws -> String? {
        try SMSNumberStore(connection: connection).stored(userID: userID)?.number
    }

    /// The chosen attribute's id and name; throws when none is chosen.
    func requireAttribute() throws -> (id: Int64, name: String) {
        guard let attribute = try identity() else { throw DirectoryFailure.noSMSAttribute }
        return attribute
    }
}
