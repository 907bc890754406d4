import Crypto
import FoundationEssentials
import Glibc

/// The keys derived from Lifeline's one secret, which lives outside the database (see
/// ``SecretSource``).
///
/// Replacing the secret rotates every key: live codes can no longer be checked and sealed
/// messages no longer opened; nothing else depends on it.
public struct SecretKeys: Sendable {
    /// Keys the HMAC of each code.
    let codeKey: SymmetricKey
    /// Seals SMS bodies that carry a code (AES-256-GCM).
    let messageKey: SymmetricKey
    /// Signs what the pages hand to a browser and take back: captcha challenges, CSRF tokens.
    let pageKey: SymmetricKey
    /// A short public fingerprint of the secret, stored with each code so a rotation is noticed.
    public let keyID: String

    /// The secret's size: 32 random bytes.
    public static let secretBytes = 32

    /// The one format of a secret, in a key file or `LIFELINE_SECRET`: 64 hexadecimal digits
    /// (32 bytes), surrounding white space ignored. `origin` names where it came from.
    public static func parse(_ text: String, from origin: String) throws -> [UInt8] {
        let trimmed = text.trimmingBlanks().filter { $0 != "\n" && $0 != "\r" }
        guard let bytes = Hex.bytes(trimmed), bytes.count == secretBytes else {
            throw SecretFailure.badFormat(origin: origin, length: trimmed.count)
        }
        return bytes
    }

    /// Derives the keys from a secret of at least 16 bytes.
    public init(secret: [UInt8]) throws {
        guard secret.count >= 16 else { throw SecretFailure.tooShort(length: secret.count) }
        let material = SymmetricKey(data: secret)
        func derive(_ purpose: String, bytes: Int = 32) -> SymmetricKey {
            HKDF<SHA256>.deriveKey(
                inputKeyMaterial: material, salt: Array("lifeline".utf8), info: Array(purpose.utf8), outputByteCount: bytes)
        }
        codeKey = derive("verification-code-hmac-v1")
        messageKey = derive("outbox-seal-aes-gcm-v1")
        pageKey = derive("web-pages-hmac-v1")
        keyID = derive("key-id-v1", bytes: 6).withUnsafeBytes { Hex.string($0) }
    }
}

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

/// The key file: read whole, or created exclusively with mode 0600.
enum KeyFile {
    static func read(_ path: String) throws -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw SecretFailure.keyFileUnusable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw SecretFailure.keyFileUnusable(path: path, reason: String(cString: strerror(errno)))
        }
        // As ssh does with private keys: a key others can read is no longer a secret.
        if info.st_mode & 0o077 != 0 {
            throw SecretFailure.keyFileTooOpen(path: path, mode: String(info.st_mode & 0o777, radix: 8))
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256)
        while true {
            let count = Glibc.read(descriptor, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Creates the file with `contents`, mode 0600, unless it exists; false if it already did.
    ///
    /// The contents are written and synced under a temporary name first, then linked to `path`,
    /// which fails if the name is taken. Creating `path` itself and writing it after let other
    /// processes starting at the same moment read the file empty, or lose the race and go on
    /// with a secret that was never stored.
    static func create(_ path: String, contents: String, random: any RandomSource) throws -> Bool {
        func unusable(_ reason: String = String(cString: strerror(errno))) -> SecretFailure {
            SecretFailure.keyFileUnusable(path: path, reason: reason)
        }
        let temporary = path + ".new-" + random.hex(8)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw unusable() }
        defer { unlink(temporary) }
        do {
            defer { close(descriptor) }
            do {
                try FileDescriptorWriter(descriptor: descriptor).write(Array(contents.utf8))
            } catch {
                throw unusable(error.description)
            }
            guard fsync(descriptor) == 0 else { throw unusable() }
        }
        guard link(temporary, path) == 0 else {
            if errno == EEXIST { return false }
            throw unusable()
        }
        try syncDirectory(of: path)
        return true
    }

    /// Writes `contents` over `path` (mode 0600): under a temporary name, synced, then renamed
    /// into place, so a reader sees the old key or the new one, never part of one.
    static func replace(_ path: String, contents: String, random: any RandomSource) throws {
        let temporary = path + ".new-" + random.hex(8)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SecretFailure.keyFileUnusable(path: path, reason: String(cString: strerror(errno))) }
        do {
            defer { close(descriptor) }
            do {
                try FileDescriptorWriter(descriptor: descriptor).write(Array(contents.utf8))
            } catch {
                throw SecretFailure.keyFileUnusable(path: path, reason: error.description)
            }
            guard fsync(descriptor) == 0 else {
                throw SecretFailure.keyFileUnusable(path: path, reason: String(cString: strerror(errno)))
            }
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw SecretFailure.keyFileUnusable(path: path, reason: reason)
        }
        try syncDirectory(of: path)
    }

    /// Makes the new name durable too: a key lost in a crash would orphan every live code.
    private static func syncDirectory(of path: String) throws {
        let folder = path.lastIndex(of: "/").map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw SecretFailure.keyFileUnusable(path: path, reason: "cannot open its folder: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw SecretFailure.keyFileUnusable(path: path, reason: "cannot sync its folder: \(String(cString: strerror(errno)))")
        }
    }
}

/// Lower-case hexadecimal.
public enum Hex {
    /// The SHA-256 of `text`'s UTF-8, in hex: how a random token (an API key, a page session) is
    /// kept, since a 256-bit token needs no slow hash.
    public static func sha256(of text: String) -> String {
        string(SHA256.hash(data: Array(text.utf8)))
    }

    public static func string(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes { text += [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]] }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of a hex string (surrounding whitespace ignored), or nil if it is not one.
    static func bytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8).filter { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        guard digits.count % 2 == 0 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}

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
        }
    }

    public var remedy: String? {
        switch self {
        case .keyFileTooOpen(let path, _): "run chmod 600 \(path) (as ssh asks of private keys)"
        case .keyFileMissingWhileInUse:
            "restore the key file from its backup, or run `lifeline secret rotate --yes` to make a new one knowingly"
        case .rotationNeedsKeyFile: "change LIFELINE_SECRET itself (64 hex digits, e.g. from `openssl rand -hex 32`)"
        default: "set LIFELINE_SECRET to 64 hex digits, or point LIFELINE_SECRET_FILE at a file of them (mode 0600)"
        }
    }
}
