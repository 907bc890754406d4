import Glibc

/// Writes bytes to an open file descriptor with `write(2)`, retrying short writes and EINTR.
///
/// Not FileHandle: it stops the process on a write error (a full disk, a closed pipe) instead of
/// reporting it, and it lives in the full Foundation, whose static copy (ICU included) made every
/// `lifeline` start slower.
public struct FileDescriptorWriter: Sendable {
    public let descriptor: Int32

    public static let standardOutput = FileDescriptorWriter(descriptor: STDOUT_FILENO)
    public static let standardError = FileDescriptorWriter(descriptor: STDERR_FILENO)

    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Writes every byte, or throws the `errno` of the failed write.
    public func write(_ bytes: some Collection<UInt8>) throws(FileWriteError) {
        let written: FileWriteError? = bytes.withContiguousStorageIfAvailable { writeAll($0) } ?? Array(bytes).withUnsafeBufferPointer { writeAll($0) }
        if let written { throw written }
    }

    /// Writes `text` as UTF-8, ignoring failures: for diagnostics, which have nowhere else to go.
    public func writeIgnoringErrors(_ text: String) {
        try? write(Array(text.utf8))
    }

    private func writeAll(_ buffer: UnsafeBufferPointer<UInt8>) -> FileWriteError? {
        var offset = 0
        while offset < buffer.count {
            let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return FileWriteError(code: errno)
            }
            offset += written
        }
        return nil
    }
}

/// A failed `write(2)`, with its `errno`.
public struct FileWriteError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public var description: String { String(cString: strerror(code)) }
}
