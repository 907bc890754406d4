import Hummingbird
import LifelineService

/// The fields of a posted form, `application/x-www-form-urlencoded`: every page's forms but the
/// console's import, whose file comes as ``MultipartUpload``.
///
/// Not Hummingbird's `URLEncodedFormDecoder`, which decodes into a fixed `Decodable` type and
/// refuses the whole form over one missing field: a page needs every field as typed, to show it
/// back beside the error about it.
struct PageForm: Sendable {
    private(set) var fields: [String: String] = [:]

    /// Forms are small: a few fields a person typed.
    static let maximumFormBytes = 64 * 1024

    subscript(_ name: String) -> String? { fields[name] }

    /// The field trimmed of surrounding blanks, or "" when absent.
    func text(_ name: String) -> String { fields[name]?.trimmingBlanks() ?? "" }

    /// Reads an URL-encoded form of at most ``maximumFormBytes``; any other body is refused
    /// before it is read (415), so no page but the import takes an upload.
    static func read(_ request: Request) async throws -> PageForm {
        let type = (request.headers[.contentType] ?? "").lowercased()
        guard type.isEmpty || type.hasPrefix("application/x-www-form-urlencoded") else {
            throw Problem(
                status: .unsupportedMediaType, code: "usage",
                detail: "this form takes application/x-www-form-urlencoded, not '\(type.prefix(80))'")
        }
        var request = request
        let body = try await request.collectBody(upTo: maximumFormBytes)
        return PageForm(urlEncoded: Array(buffer: body))
    }

    init(urlEncoded body: [UInt8]) {
        for (name, value) in FormEncoding.parse(body) { fields[name] = value }
    }

    init(fields: [String: String]) {
        self.fields = fields
    }
}
