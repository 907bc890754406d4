import Crypto
import FoundationEssentials
import Glibc

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
