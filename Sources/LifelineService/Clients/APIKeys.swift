import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// A new key, shown once.
public struct CreatedAPIKey: Sendable {
    public let name: String
    public let role: APIKeyRole
    /// The key itself: `llk_` and 64 hex digits. Only its SHA-256 is stored.
    public let key: String
}

/// An API key that cannot be made, found or used.
public enum APIKeyFailure: LifelineFailure, Equatable {
    case invalidName(String)
    case nameTaken(String)
    case notFound(String)

    public var kind: FailureKind {
        switch self {
        case .invalidName, .nameTaken: .usage
        case .notFound: .inputMissing
        }
    }

    public var message: String {
        switch self {
        case .invalidName(let name): "'\(name)' is not a key name: use 1 to 100 characters"
        case .nameTaken(let name): "a live API key is already named '\(name)'"
        case .notFound(let name): "no live API key is named '\(name)'"
        }
    }

    public var remedy: String? {
        switch self {
        case .nameTaken: "revoke it first (`lifeline api-keys revoke NAME`), or choose another name"
        case .notFound: "`lifeline api-keys list` shows them"
        case .invalidName: nil
        }
    }
}

/// API keys for the HTTP service's clients: made from the CSPRNG, shown once, kept only as
/// SHA-256 (a key is 256 random bits, so a fast hash is enough: nothing to guess), checked in
/// constant time through that hash, and revoked rather than deleted.
public struct APIKeys: Sendable {
    /// Every key starts with this, so a leaked key can be found by secret scanners.
    public static let prefix = "llk_"

    public let environment: LifelineEnvironment
    var database: Database { environment.database }

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    public func create(name: String, role: APIKeyRole) throws -> CreatedAPIKey {
        try TextLimit.name.check(name, field: "the key's name")
        let name = name.trimmingBlanks()
        guard (1...100).contains(name.unicodeScalars.count) else { throw APIKeyFailure.invalidName(name) }
        let key = Self.prefix + environment.random.hex(32)
        let now = environment.clock.now()
        try database.write { connection in
            let store = APIKeyStore(connection: connection)
            guard try store.liveKey(named: name) == nil else { throw APIKeyFailure.nameTaken(name) }
            try store.insert(name: name, role: role, prefix: String(key.prefix(10)), sha256: Hex.sha256(of: key), at: now)
        }
        return CreatedAPIKey(name: name, role: role, key: key)
    }

    public func list() throws -> [APIKeyRecord] {
        try database.read { try APIKeyStore(connection: $0).all() }
    }

    public func revoke(name: String) throws {
        let now = environment.clock.now()
        try database.write { connection in
            let store = APIKeyStore(connection: connection)
            guard let key = try store.liveKey(named: name.trimmingBlanks()) else { throw APIKeyFailure.notFound(name) }
            try store.revoke(id: key.id, at: now)
        }
    }

    /// The live key a client presented, or nil. The lookup is by the presented key's SHA-256,
    /// so no comparison of the secret itself depends on how much of it matches.
    public func authenticate(_ presented: String) throws -> APIKeyRecord? {
        guard presented.hasPrefix(Self.prefix), presented.utf8.count == Self.prefix.utf8.count + 64 else { return nil }
        return try database.read { try APIKeyStore(connection: $0).liveKey(sha256: Hex.sha256(of: presented)) }
    }
}
