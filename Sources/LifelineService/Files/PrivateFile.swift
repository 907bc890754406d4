import Glibc

/// Why a file Lifeline writes could not be opened safely.
public struct PrivateFileError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

/// Files Lifeline writes at a path someone names (reject files, the file gateway's output):
/// never through a symbolic link, only a regular file the caller owns, and mode 0600 whether
/// new or existing, since they hold personal data (and sealed codes' recipients).
public enum PrivateFile {
    public enum Mode: Sendable {
        /// Start empty (a report written afresh).
        case truncate
        /// Add to the end (a log of messages).
        case append
    }

    /// Opens `path` for writing, creating it with mode 0600; returns the descriptor.
    ///
    /// O_NOFOLLOW refuses a link in the last component, and the checks run on the opened file
    /// (fstat, fchmod) before anything is truncated, so a swapped path cannot redirect them.
    public static func open(_ path: String, _ mode: Mode) throws(PrivateFileError) -> Int32 {
        // An appender also reads its last byte (``endsMidLine(_:)``).
        let flags = O_CREAT | O_NOFOLLOW | O_CLOEXEC | (mode == .append ? O_RDWR | O_APPEND : O_WRONLY)
        let descriptor = Glibc.open(path, flags, 0o600)
        guard descriptor >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link, which Lifeline never writes through" : String(cString: strerror(errno))
            throw PrivateFileError(reason: reason)
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure(closing: descriptor, String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw failure(closing: descriptor, "it is not a regular file") }
        guard info.st_uid == geteuid() else {
            throw failure(closing: descriptor, "it belongs to another user (uid \(info.st_uid)); remove it or name another path")
        }
        guard fchmod(descriptor, 0o600) == 0 else { throw failure(closing: descriptor, String(cString: strerror(errno))) }
        if mode == .truncate, ftruncate(descriptor, 0) != 0 {
            throw failure(closing: descriptor, String(cString: strerror(errno)))
        }
        return descriptor
    }

    private static func failure(closing descriptor: Int32, _ reason: String) -> PrivateFileError {
        close(descriptor)
        return PrivateFileError(reason: reason)
    }

    /// Whether the file ends in the middle of a line (a writer was killed mid-write): the next
    /// append must start on a line of its own.
    static func endsMidLine(_ descriptor: Int32) -> Bool {
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_size > 0 else { return false }
        var last: UInt8 = 0
        return pread(descriptor, &last, 1, info.st_size - 1) == 1 && last != UInt8(ascii: "\n")
    }
}
