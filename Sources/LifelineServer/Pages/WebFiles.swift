import HTTPTypes
import Hummingbird
import LifelineService
import Mustache

/// The pages' embedded files (`Web/`): Mustache templates, the style sheet and the scripts.
enum WebFiles {
    /// Every `.mustache` file, by name without its extension; a partial is included by that name.
    /// Each starts with ``ScalarHTMLContentType``'s pragma, so every value it shows is escaped
    /// per byte, whichever file it sits in.
    static let templates: MustacheLibrary = {
        MustacheContentTypes.register(ScalarHTMLContentType(), named: ScalarHTMLContentType.name)
        var library = MustacheLibrary()
        for file in embeddedFiles where file.name.hasSuffix(".mustache") {
            // A template that does not parse is a build defect, caught by `PageTests`; it
            // renders as missing (a 500) rather than stopping the server.
            if let template = try? MustacheTemplate(string: ScalarHTMLContentType.pragma + file.text) {
                library.register(template, named: String(file.name.dropLast(".mustache".count)))
            }
        }
        return library
    }()

    /// A static asset: its type and its bytes, with a validator for conditional requests.
    struct Asset: Sendable {
        let contentType: String
        let text: String
        let etag: String
    }

    static let assets: [String: Asset] = {
        var assets: [String: Asset] = [:]
        for file in embeddedFiles {
            let type: String
            if file.name.hasSuffix(".css") {
                type = "text/css; charset=utf-8"
            } else if file.name.hasSuffix(".js") {
                type = "text/javascript; charset=utf-8"
            } else {
                continue
            }
            assets[file.name] = Asset(contentType: type, text: file.text, etag: "\"" + Hex.sha256(of: file.text).prefix(16) + "\"")
        }
        return assets
    }()
}

/// `GET /static/NAME`: the CSS and scripts, from the binary. Revalidated by ETag, so a new
/// release's files are picked up without renaming them.
enum StaticRoutes {
    static func add(to router: Router<LifelineRequestContext>) {
        router.get("static/:name") { request, context in
            let name = try context.parameters.require("name")
            guard let asset = WebFiles.assets[name] else { throw HTTPError(.notFound) }
            var headers: HTTPFields = [.contentType: asset.contentType, .eTag: asset.etag, .cacheControl: "no-cache"]
            SecurityHeaders.apply(to: &headers)
            if request.headers[.ifNoneMatch] == asset.etag { return Response(status: .notModified, headers: headers) }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: asset.text)))
        }
    }
}

/// The headers every page and asset carries. The policy allows only this server's own scripts,
/// styles and workers, no inline script, no frames around the pages, and forms that post only here.
enum SecurityHeaders {
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    // Not among HTTPTypes' named fields; the names are constant, so the force unwraps cannot fail.
    private static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    private static let frameOptions = HTTPField.Name("X-Frame-Options")!
    private static let openerPolicy = HTTPField.Name("Cross-Origin-Opener-Policy")!

    static func apply(to headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[referrerPolicy] = "no-referrer"
        headers[frameOptions] = "DENY"
        headers[openerPolicy] = "same-origin"
    }
}
