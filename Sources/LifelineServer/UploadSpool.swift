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
        let spool = try create(in: directory)
        let writer = FileDescriptorWriter(descriptor: spool.descriptor)
        for try await chunk in body {
            try await NIOThreadPool.singleton.runIfActive { try spool.write(chunk.readableBytesView, with: writer) }
        }
        spool.rewind()
        return spool
    }

    /// Appends bytes at the end (a multipart form's file, part by part); blocking, so called
    /// off the event loops.
    func append(_ bytes: [UInt8]) throws {
        try write(bytes, with: FileDescriptorWriter(descriptor: descriptor))
    }

    /// Back to the first byte, for another reading (an import's dry run, then the import).
    func rewind() {
        lseek(descriptor, 0, SEEK_SET)
    }

    /// The bytes held.
    var size: Int {
        var status = stat()
        return fstat(descriptor, &status) == 0 ? Int(status.st_size) : 0
    }

    /// An empty spool: an unnamed 0600 file in `directory`.
    static func create(in directory: String) throws -> UploadSpool {
        do {
            return UploadSpool(descriptor: try PrivateFile.unnamed(in: directory))
        } catch {
            let reason = error.reason
            if error.code == EMFILE || error.code == ENFILE {
                // No descriptor left: a passing overload, so the client may try again.
                var problem = Problem(status: .serviceUnavailable, code: "busy", detail: "cannot spool the upload: \(reason); try again shortly")
                problem.retryAfter = 5
                throw problem
            }
            throw Problem(status: .internalServerError, code: "configuration", detail: "cannot spool the upload in \(directory): \(reason)")
        }
    }

    private func write(_ bytes: some Collection<UInt8>, with writer: FileDescriptorWriter) throws {
        do {
            try writer.write(bytes)
        } catch {
            throw Problem(status: .init(code: 507, reasonPhrase: "Insufficient Storage"), code: "configuration", detail: "cannot spool the upload: \(error)")
        }
    }

    static var temporaryDirectory: String { PrivateFile.temporaryDirectory }
}
