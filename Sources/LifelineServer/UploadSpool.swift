import Glibc
import Hummingbird
import LifelineService
import NIOPosix

/// A request body written to an unnamed private file as it arrives, so an upload of any size
/// (a directory export of a million users) is never held in memory.
///
/// Written by hand rather than with Hummingbird's `FileIO`, which writes a named file with the
/// default permissions: this one holds personal data, so it is created 0600 and unlinked at
/// once, and disappears with the last descriptor even if the server is killed.
final class UploadSpool: Sendable {
    let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Receives `body` chunk by chunk, writing each on the thread pool (never on an event
    /// loop), then rewinds so a reader starts at the first byte.
    static func receive(_ body: RequestBody, directory: String = UploadSpool.temporaryDirectory) async throws -> UploadSpool {
        var template = Array((directory + "/lifeline-upload-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw Problem(status: .internalServerError, code: "configuration", detail: "cannot spool the upload in \(directory): \(String(cString: strerror(errno)))")
        }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        unlink(String(cString: template.withUnsafeBufferPointer { $0.baseAddress! }))
        let spool = UploadSpool(descriptor: descriptor)
        let writer = FileDescriptorWriter(descriptor: descriptor)
        for try await chunk in body {
            try await NIOThreadPool.singleton.runIfActive {
                do {
                    try writer.write(chunk.readableBytesView)
                } catch {
                    throw Problem(status: .init(code: 507, reasonPhrase: "Insufficient Storage"), code: "configuration", detail: "cannot spool the upload: \(error)")
                }
            }
        }
        lseek(descriptor, 0, SEEK_SET)
        return spool
    }

    static var temporaryDirectory: String {
        getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }
}
