import Foundation

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
        var offset = 0
        while offset < buffer.count {
            let written = buffer[offset...].withUnsafeBytes { Foundation.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                break  // A closed pipe (`| head`): nothing more can be shown.
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
