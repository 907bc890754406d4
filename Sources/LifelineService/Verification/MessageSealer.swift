import Crypto
import FoundationEssentials

/// Seals and opens the SMS bodies that carry a code (AES-256-GCM under a key derived from the
/// secret, the destination number as associated data, so a sealed body cannot be moved to
/// another number's row).
public struct MessageSealer: Sendable {
    let keys: SecretKeys

    public init(keys: SecretKeys) {
        self.keys = keys
    }

    func seal(_ body: String, destination: String) throws -> [UInt8] {
        let box = try AES.GCM.seal(Array(body.utf8), using: keys.messageKey, authenticating: Array(destination.utf8))
        guard let combined = box.combined else { throw SecretFailure.tooShort(length: 0) }
        return Array(combined)
    }

    /// The body, or nil if the box was sealed under another key (a rotated secret) or altered.
    func open(_ sealed: [UInt8], destination: String) -> String? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed),
            let plain = try? AES.GCM.open(box, using: keys.messageKey, authenticating: Array(destination.utf8))
        else { return nil }
        return String(decoding: plain, as: UTF8.self)
    }
}
