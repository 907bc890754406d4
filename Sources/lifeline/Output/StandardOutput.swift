import LifelineService

/// Buffered writes to standard output (file descriptor 1), flushed at 64 KiB and on `flush()`.
///
/// Swift 6 does not allow C's `stdout` global from Swift code, and one `write` per row would
/// cost a system call each.
final class StandardOutput {
    private var buffer: [UInt8] = []

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        // A failed write is a closed pipe (`| head`) or a full disk: nothing more can be shown.
        try? FileDescriptorWriter.standardOutput.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
