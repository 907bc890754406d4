import FoundationEssentials
import Glibc

/// Writes rejected records as CSV: `line, reason`, then the record's own fields as read.
/// The file is a ``PrivateFile``: mode 0600, never through a link; it holds personal data.
final class RejectFileWriter {
    private let output: FileDescriptorWriter
    private let path: String
    private var pending = Data()

    init(path: String, header: [String]) throws {
        let descriptor: Int32
        do {
            descriptor = try PrivateFile.open(path, .truncate)
        } catch {
            throw ImportFailure.rejectFileUnwritable(path: path, reason: error.reason)
        }
        output = FileDescriptorWriter(descriptor: descriptor)
        self.path = path
        append(["line", "reason"].map { Array($0.utf8) } + header.map { Array($0.utf8) })
    }

    func write(_ rejection: ImportRejection) throws {
        append([Array(String(rejection.line).utf8), Array(rejection.reason.utf8)] + rejection.fields)
        if pending.count > 1 << 16 { try flush() }
    }

    deinit {
        close(output.descriptor)
    }

    func flush() throws {
        defer { pending.removeAll(keepingCapacity: true) }
        do {
            try output.write(pending)
        } catch {
            throw ImportFailure.rejectFileUnwritable(path: path, reason: error.description)
        }
    }

    private func append(_ fields: [[UInt8]]) {
        CSVRecordEncoding.append(fields, to: &pending)
    }
}
