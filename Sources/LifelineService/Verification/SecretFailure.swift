import Crypto
import FoundationEssentials
import Glibc

/// The secret cannot be used.
public enum SecretFailure: LifelineFailure, Equatable {
    case tooShort(length: Int)
    case missing
    case unreadableKeyFile(path: String)
    case keyFileUnusable(path: String, reason: String)
    /// Not 64 hexadecimal digits.
    case badFormat(origin: String, length: Int)
    /// Group or others may read the key file.
    case keyFileTooOpen(path: String, mode: String)
    /// The key file is gone while the database still holds material sealed with a key.
    case keyFileMissingWhileInUse(path: String, liveCodes: Int, sealedMessages: Int)
    /// Only a key file can be rotated; a secret from the environment is changed there.
    case rotationNeedsKeyFile
    /// A PostgreSQL database with no secret named for it.
    case sharedSecretNotNamed

    public var kind: FailureKind { .configuration }

    public var message: String {
        switch self {
        case .tooShort(let length): "the secret is \(length) bytes; it must be at least 16"
        case .missing: "there is no secret to check codes with"
        case .unreadableKeyFile(let path): "the key file \(path) does not hold a hexadecimal key"
        case .keyFileUnusable(let path, let reason): "cannot use the key file \(path): \(reason)"
        case .badFormat(let origin, let length):
            "the secret in \(origin) is not 64 hexadecimal digits (32 bytes); it has \(length) characters"
        case .keyFileTooOpen(let path, let mode): "the key file \(path) has mode \(mode): other users may read it"
        case .keyFileMissingWhileInUse(let path, let liveCodes, let sealedMessages):
            "the key file \(path) is missing, but the database holds \(liveCodes) live code(s) and "
                + "\(sealedMessages) unsent sealed message(s) made with a key; a new key would silently invalidate them"
        case .rotationNeedsKeyFile: "the secret comes from LIFELINE_SECRET, not a key file"
        case .sharedSecretNotNamed:
            "with a PostgreSQL database every server must use the same secret, and none is named"
        }
    }

    public var remedy: String? {
        switch self {
        case .keyFileTooOpen(let path, _): "run chmod 600 \(path) (as ssh asks of private keys)"
        case .keyFileMissingWhileInUse:
            "restore the key file from its backup, or run `lifeline secret rotate --yes` to make a new one knowingly"
        case .sharedSecretNotNamed:
            "point LIFELINE_SECRET_FILE at the same key file (mode 0600) on every server, or set LIFELINE_SECRET"
        case .rotationNeedsKeyFile: "change LIFELINE_SECRET itself (64 hex digits, e.g. from `openssl rand -hex 32`)"
        default: "set LIFELINE_SECRET to 64 hex digits, or point LIFELINE_SECRET_FILE at a file of them (mode 0600)"
        }
    }
}
