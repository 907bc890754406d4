import Glibc

/// Why a file Lifeline writes could not be opened safely.
public struct PrivateFileError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    /// The `errno` behind it, when one is.
    public var code: Int32 = 0
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
        // An appender also reads its last line (``cutToLastLine(_:)``).
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

    /// A new file with no name: created 0600 in `directory` and unlinked at once, so what it
    /// holds (an upload, a directory's entries) is never readable by another user and
    /// disappears with its last descriptor, even if the process is killed. Returns the
    /// descriptor, open for reading and writing; `errno` is kept for the caller on failure.
    public static func unnamed(in directory: String) throws(PrivateFileError) -> Int32 {
        var template = Array((directory + "/lifeline-spool-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw PrivateFileError(reason: String(cString: strerror(errno)), code: errno) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        unlink(String(cString: template.withUnsafeBufferPointer { $0.baseAddress! }))
        return descriptor
    }

    /// The folder for unnamed files: `$TMPDIR`, else /tmp.
    public static var temporaryDirectory: String {
        getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }

    private static func failure(closing descriptor: Int32, _ reason: String) -> PrivateFileError {
        close(descriptor)
        return PrivateFileError(reason: reason)
    }

    /// Cuts a file that ends in the middle of a line (a writer was killed mid-write) back to its
    /// last newline, so the fragment does not stay in the file for every reader to trip on.
    /// The caller holds the file's lock: no other appender is mid-write.
    static func cutToLastLine(_ descriptor: Int32) throws(PrivateFileError) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw PrivateFileError(reason: String(cString: strerror(errno))) }
        // Nearly always the file ends whole: one byte tells, before any longer read.
        var last: UInt8 = 0
        guard info.st_size > 0, pread(descriptor, &last, 1, info.st_size - 1) == 1, last != UInt8(ascii: "\n") else { return }
        var end = Int(info.st_size)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while end > 0 {
            let start = max(0, end - chunk.count)
            let read = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, end - start, off_t(start)) }
            guard read == end - start else { throw PrivateFileError(reason: String(cString: strerror(errno))) }
            if let newline = chunk[0..<read].lastIndex(of: UInt8(ascii: "\n")) {
                end = start + newline + 1
                break
            }
            end = start
        }
        guard end < Int(info.st_size) else { return }
        guard ftruncate(descriptor, off_t(end)) == 0 else { throw PrivateFileError(reason: String(cString: strerror(errno))) }
    }
}
