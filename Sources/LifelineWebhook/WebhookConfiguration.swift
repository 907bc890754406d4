import LifelineService

/// Where the webhook gateway posts and how it signs (the CLI reads `LIFELINE_WEBHOOK_URL` and
/// `LIFELINE_WEBHOOK_SECRET`), checked before anything is claimed.
public struct WebhookConfiguration: Sendable {
    public let url: String
    public let secret: [UInt8]
    /// How long one request may take before it counts as a timeout (and is retried).
    public var timeout: Duration = .seconds(10)
    /// Requests in flight at once within a batch.
    public var concurrency = 8

    public init(url: String, secret: [UInt8]) throws {
        let lowered = url.lowercased()
        guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://"), url.count > 8 else {
            throw GatewayFailure.notConfigured(
                variable: "LIFELINE_WEBHOOK_URL", reason: "'\(url)' is not an http:// or https:// URL")
        }
        guard secret.count >= 16 else {
            throw GatewayFailure.notConfigured(
                variable: "LIFELINE_WEBHOOK_SECRET", reason: "must be at least 16 bytes, so the signature means something")
        }
        self.url = url
        self.secret = secret
    }
}
