import FoundationEssentials
import LifelineVocabulary

/// One API key as stored: never the key, only its hash and a recognisable prefix.
public struct APIKeyRecord: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let role: APIKeyRole
    public let prefix: String
    public let createdAt: Date
    public let revokedAt: Date?
}

/// The api_keys table. Writes run inside the caller's write transaction.
public struct APIKeyStore {
    public let connection: any SQLConnection

    public init(connection: any SQLConnection) {
        self.connection = connection
    }

    private static let columns = "id, name, role, prefix, created_at, revoked_at"

    private static func record(from row: any SQLRow) throws -> APIKeyRecord {
        APIKeyRecord(
            id: row.int64(at: 0), name: row.string(at: 1), role: try row.get(2), prefix: row.string(at: 3),
            createdAt: try row.get(4), revokedAt: try row.get(5))
    }

    public func insert(name: String, role: APIKeyRole, prefix: String, sha256: String, at date: Date) throws {
        try connection.execute(
            "INSERT INTO api_keys (name, role, prefix, sha256, created_at) VALUES (?, ?, ?, ?, ?)", name, role, prefix,
            sha256, date)
    }

    /// The live (unrevoked) key with this hash.
    public func liveKey(sha256: String) throws -> APIKeyRecord? {
        try connection.queryFirst(
            "SELECT \(Self.columns) FROM api_keys WHERE sha256 = ? AND revoked_at IS NULL", sha256, map: Self.record)
    }

    public func liveKey(named name: String) throws -> APIKeyRecord? {
        try connection.queryFirst(
            "SELECT \(Self.columns) FROM api_keys WHERE \(connection.dialect.caselessEquals("name")) AND revoked_at IS NULL", name, map: Self.record)
    }

    /// Every key, revoked ones too, oldest first.
    public func all() throws -> [APIKeyRecord] {
        try connection.query("SELECT \(Self.columns) FROM api_keys ORDER BY id", map: Self.record)
    }

    public func revoke(id: Int64, at date: Date) throws {
        try connection.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", date, id)
    }
}
