import Foundation
import LifelineStore

/// The SMS attribute setting: which user attribute holds SMS numbers.
struct SMSSettings {
    static let attributeKey = "sms.attribute"
    let connection: SQLiteConnection

    /// The chosen attribute, or nil when none is chosen (or it no longer exists).
    func attribute() throws -> AttributeDefinition? {
        guard let name = try SettingsStore(connection: connection).value(for: Self.attributeKey) else { return nil }
        return try DirectoryStore(connection: connection).attribute(named: name)
    }

    /// The chosen attribute; throws when none is chosen.
    func requireAttribute() throws -> AttributeDefinition {
        guard let attribute = try attribute() else { throw DirectoryFailure.noSMSAttribute }
        return attribute
    }
}
