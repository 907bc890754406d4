import LifelineService
import Hummingbird

/// The fields of a posted form, `application/x-www-form-urlencoded` or `multipart/form-data`.
///
/// Not Hummingbird's `URLEncodedFormDecoder`, which decodes into a fixed `Decodable` type and
/// refuses the whole form over one missing field: a page needs every field as typed, to show it
/// back beside the error about it. Hummingbird has no multipart parser; ``MultipartBody`` is the
/// few lines a single-file upload needs.
struct PageForm: Sendable {
    private(set) var fields: [String: String] = [:]
    /// The uploaded file, for the import page's multipart form.
    private(set) var file: [UInt8]?

    /// Small forms; the import's upload has its own limit.
    static let maximumFormBytes = 64 * 1024
    static let maximumUploadBytes = 64 * 1024 * 1024

    subscript(_ name: String) -> String? { fields[name] }

    /// The field trimmed of surrounding blanks, or "" when absent.
    func text(_ name: String) -> String { fields[name]?.trimmingBlanks() ?? "" }

    static func read(_ request: Request) async throws -> PageForm {
        var request = request
        let type = request.headers[.contentType] ?? ""
        if let boundary = MultipartBody.boundary(contentType: type) {
            let body = try await request.collectBody(upTo: maximumUploadBytes)
            return try MultipartBody(boundary: boundary).form(Array(body.readableBytesView))
        }
        let body = try await request.collectBody(upTo: maximumFormBytes)
        return PageForm(urlEncoded: Array(buffer: body))
    }

    init(urlEncoded body: [UInt8]) {
        for (name, value) in FormEncoding.parse(body) { fields[name] = value }
    }

    init(fields: [String: String], file: [UInt8]?) {
        self.fields = fields
        self.file = file
    }
}

/// A `multipart/form-data` body held in memory (up to ``PageForm/maximumUploadBytes``): its text
/// fields, and the bytes of its one file field. Larger directories go through `POST /v1/imports`,
/// which streams.
struct MultipartBody {
    let boundary: [UInt8]

    init(boundary: String) {
        self.boundary = Array("--\(boundary)".utf8)
    }

    static func boundary(contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { String($0).trimmingBlanks() }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2 ? String(pair[1].dropFirst().dropLast()) : pair[1]
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }

    func form(_ body: [UInt8]) throws -> PageForm {
        var fields: [String: String] = [:]
        var file: [UInt8]?
        var start = try next(boundaryAfter: 0, in: body)
        while start < body.count, !body[start...].starts(with: Array("--".utf8)) {
            // Each part: CRLF, headers, a blank line, the content, CRLF, the next boundary.
            guard let headersEnd = find(Array("\r\n\r\n".utf8), in: body, from: start) else { throw Self.malformed }
            let headers = String(decoding: body[start..<headersEnd], as: UTF8.self)
            let contentStart = headersEnd + 4
            guard let contentEnd = find([0x0D, 0x0A] + boundary, in: body, from: contentStart) else { throw Self.malformed }
            let content = Array(body[contentStart..<contentEnd])
            if let name = Self.parameter("name", in: headers) {
                if Self.parameter("filename", in: headers) != nil {
                    file = content
                } else {
                    fields[name] = String(decoding: content, as: UTF8.self)
                }
            }
            start = contentEnd + 2 + boundary.count
        }
        return PageForm(fields: fields, file: file)
    }

    private static let malformed = Problem(status: .badRequest, code: "usage", detail: "the form's multipart body is malformed")

    private func next(boundaryAfter offset: Int, in body: [UInt8]) throws -> Int {
        guard let found = find(boundary, in: body, from: offset) else { throw Self.malformed }
        return found + boundary.count
    }

    private func find(_ needle: [UInt8], in body: [UInt8], from offset: Int) -> Int? {
        guard !needle.isEmpty, body.count >= needle.count, offset <= body.count - needle.count else { return nil }
        var index = offset
        let first = needle[0]
        while index <= body.count - needle.count {
            if body[index] == first, body[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// `name="value"` in a Content-Disposition header.
    private static func parameter(_ name: String, in headers: String) -> String? {
        for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
            for piece in line.split(separator: ";").dropFirst() {
                let pair = piece.split(separator: "=", maxSplits: 1).map { String($0).trimmingBlanks() }
                guard pair.count == 2, pair[0] == name else { continue }
                return pair[1].hasPrefix("\"") && pair[1].count >= 2 ? String(pair[1].dropFirst().dropLast()) : pair[1]
            }
        }
        return nil
    }
}
