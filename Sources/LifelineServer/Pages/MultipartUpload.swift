import Hummingbird
import LifelineService
import MultipartKit
import NIOCore
import NIOPosix

/// A `multipart/form-data` body read as it arrives: its text fields kept (small), its one file
/// written to a private ``UploadSpool``, so an upload costs the server a few buffers whatever
/// its size.
///
/// multipart-kit's `MultipartParser` does the parsing, one pass over the bytes. Around it, the
/// limits a hostile client must meet: a boundary of at most RFC 2046's 70 characters, the whole
/// body within ``maximumBytes``, the text fields within ``PageForm/maximumFormBytes``, and no run
/// of ``maximumQuietBytes`` without a part's header or content coming out (the parser holds a
/// header until its line ends, so that run is what bounds its memory).
struct MultipartUpload: Sendable {
    let form: PageForm
    /// The file field's content, rewound; nil when the form had no file part.
    let file: UploadSpool?

    static let maximumBytes = 64 * 1024 * 1024
    static let maximumBoundaryLength = 70
    static let maximumQuietBytes = 64 * 1024

    /// The boundary of a `multipart/form-data` content type; a missing, empty or overlong one is
    /// a 400 that names the rule.
    static func boundary(contentType: String) throws -> String {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else {
            throw Problem(status: .unsupportedMediaType, code: "usage", detail: "this form takes multipart/form-data")
        }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { String($0).trimmingBlanks() }
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            let value = unquoted(pair[1])
            guard !value.isEmpty, value.utf8.count <= maximumBoundaryLength else { break }
            return value
        }
        throw Problem(
            status: .badRequest, code: "usage",
            detail: "a multipart/form-data body needs a boundary of 1 to \(maximumBoundaryLength) characters (RFC 2046)")
    }

    /// Reads the request's body to its end.
    static func receive(_ request: Request, directory: String = UploadSpool.temporaryDirectory) async throws -> MultipartUpload {
        let boundary = try boundary(contentType: request.headers[.contentType] ?? "")
        let parser = MultipartParser(boundary: boundary)
        let parts = PartCollector()
        parser.onHeader = { name, value in parts.header(name: name, value: value) }
        parser.onBody = { buffer in parts.content(buffer.readableBytesView) }
        parser.onPartComplete = { parts.complete() }
        var total = 0
        var quiet = 0
        var spool: UploadSpool?
        for try await chunk in request.body {
            total += chunk.readableBytes
            guard total <= maximumBytes else {
                throw Problem(
                    status: .contentTooLarge, code: "usage",
                    detail: "the upload is over \(maximumBytes / 1024 / 1024) MiB: import a larger directory with POST /v1/imports or the CLI")
            }
            parts.progressed = false
            do {
                try parser.execute(chunk)
            } catch {
                throw malformed
            }
            try parts.check()
            quiet = parts.progressed ? 0 : quiet + chunk.readableBytes
            guard quiet <= maximumQuietBytes else { throw malformed }
            let fileBytes = parts.takeFileBytes()
            if !fileBytes.isEmpty {
                let target = try spool ?? UploadSpool.create(in: directory)
                spool = target
                try await NIOThreadPool.singleton.runIfActive { try target.append(fileBytes) }
            }
        }
        guard parts.isFinished else { throw malformed }
        if parts.hasFile, spool == nil { spool = try UploadSpool.create(in: directory) }
        spool?.rewind()
        return MultipartUpload(form: PageForm(fields: parts.fields), file: spool)
    }

    /// A header parameter's value without the quotes around it, if it has them.
    private static func unquoted(_ value: String) -> String {
        value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") ? String(value.dropFirst().dropLast()) : value
    }

    private static let malformed = Problem(status: .badRequest, code: "usage", detail: "the form's multipart body is malformed")

    /// The parts as the parser reports them, on the receiving task only.
    private final class PartCollector {
        private(set) var fields: [String: String] = [:]
        private var fieldBytes = 0
        private var headers: [(name: String, value: String)] = []
        private var current: [UInt8] = []
        private var currentIsFile: Bool?
        private var pendingFile: [UInt8] = []
        private(set) var hasFile = false
        private(set) var isFinished = false
        private var failure: Problem?
        var progressed = false

        func header(name: String, value: String) {
            progressed = true
            isFinished = false
            headers.append((name, value))
        }

        func content(_ bytes: ByteBufferView) {
            progressed = true
            if currentIsFile == nil { startPart() }
            if currentIsFile == true {
                pendingFile.append(contentsOf: bytes)
            } else {
                fieldBytes += bytes.count
                guard fieldBytes <= PageForm.maximumFormBytes else {
                    failure = Problem(status: .contentTooLarge, code: "usage", detail: "the form's text fields are over 64 KiB")
                    return
                }
                current.append(contentsOf: bytes)
            }
        }

        func complete() {
            progressed = true
            if currentIsFile == nil { startPart() }
            if currentIsFile == false, let name = Self.parameter("name", in: headers) {
                fields[name] = String(decoding: current, as: UTF8.self)
            }
            headers = []
            current = []
            currentIsFile = nil
            isFinished = true
        }

        /// The file's bytes that arrived since the last call, to be written to the spool.
        func takeFileBytes() -> [UInt8] {
            defer { pendingFile = [] }
            return pendingFile
        }

        func check() throws {
            if let failure { throw failure }
        }

        private func startPart() {
            isFinished = false
            let isFile = Self.parameter("filename", in: headers) != nil
            if isFile, hasFile {
                failure = Problem(status: .badRequest, code: "usage", detail: "the form takes one file")
            }
            hasFile = hasFile || isFile
            currentIsFile = isFile
        }

        /// `name="value"` in the part's Content-Disposition header.
        private static func parameter(_ name: String, in headers: [(name: String, value: String)]) -> String? {
            for header in headers where header.name.lowercased() == "content-disposition" {
                for piece in header.value.split(separator: ";").dropFirst() {
                    let pair = piece.split(separator: "=", maxSplits: 1).map { String($0).trimmingBlanks() }
                    guard pair.count == 2, pair[0] == name else { continue }
                    return MultipartUpload.unquoted(pair[1])
                }
            }
            return nil
        }
    }
}
