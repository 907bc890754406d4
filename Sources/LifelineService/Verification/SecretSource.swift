import Crypto
import FoundationEssentials
import Glibc

/// Where the secret is kept; the edge (CLI or server) chooses, from its own configuration.
///
/// Both hold the secret in one format, ``SecretKeys/parse(_:)``: 32 bytes as 64 hex digits,
/// so a key file's contents copied into `LIFELINE_SECRET` give the same keys.
public enum SecretSource: Sendable, Equatable {
    /// The secret's text (the CLI's `LIFELINE_SECRET`), read by ``SecretKeys/parse(_:)``.
    case value(String)
    /// A key file, created with mode 0600 and 32 random bytes on first use when asked; refused
    /// when anyone but its owner may read it.
    case keyFile(path: String)
    /// None was named where no default is safe: servers sharing a PostgreSQL database must all
    /// use one secret, so a key file made by the first one to need it would not do.
    case notNamed

    /// The default: `<database>.key` beside the database.
    public static func keyFile(besideDatabase databasePath: String) -> SecretSource {
        .keyFile(path: databasePath + ".key")
    }

    /// The key file's path, when the secret lives in one.
    public var keyFilePath: String? {
        if case .keyFile(let path) = self { path } else { nil }
    }

    /// The keys; nil when the key file does not exist and `create` is off.
    public func keys(create: Bool, random: any RandomSource) throws -> SecretKeys? {
        switch self {
        case .value(let text):
            return try SecretKeys(secret: SecretKeys.parse(text, from: "LIFELINE_SECRET"))
        case .keyFile(let path):
            if let text = try KeyFile.read(path) { return try SecretKeys(secret: SecretKeys.parse(text, from: path)) }
            guard create else { return nil }
            let secret = random.bytes(SecretKeys.secretBytes)
            if try KeyFile.create(path, contents: Hex.string(secret) + "\n", random: random) {
                return try SecretKeys(secret: secret)
            }
            // Another process created it first, whole: use that key, never one that was not stored.
            guard let text = try KeyFile.read(path) else { throw SecretFailure.unreadableKeyFile(path: path) }
            return try SecretKeys(secret: SecretKeys.parse(text, from: path))
        case .notNamed:
            throw SecretFailure.sharedSecretNotNamed
        }
    }

    /// Writes a new random key over the key file (a rotation), atomically; returns its keys.
    public func replaceKey(random: any RandomSource) throws -> SecretKeys {
        guard case .keyFile(let path) = self else { throw SecretFailure.rotationNeedsKeyFile }
        let secret = random.bytes(SecretKeys.secretBytes)
        try KeyFile.replace(path, contents: Hex.string(secret) + "\n", random: random)
        return try SecretKeys(secret: secret)
    }
}
