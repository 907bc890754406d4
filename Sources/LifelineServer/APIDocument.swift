import Hummingbird

/// The OpenAPI 3.1 document, `docs/openapi.json`, embedded at build time: the contract, served
/// at `GET /openapi.json` and checked against the routes by a test.
public enum APIDocument {
    public static var text: String { embeddedFiles.first { $0.name == "openapi.json" }?.text ?? "{}" }

    static func add(to router: Router<LifelineRequestContext>) {
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
