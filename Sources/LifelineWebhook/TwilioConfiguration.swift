import LifelineService

/// How the Twilio gateway sends (the CLI reads `LIFELINE_TWILIO_*`), checked before anything
/// is claimed.
public struct TwilioConfiguration: Sendable {
    /// Where Twilio's API is: Twilio's own, or a local server in tests.
    public let apiBase: String
    public let accountSID: String
    /// Basic auth: the account SID and auth token, or an API key SID and secret.
    public let username: String
    public let password: String
    public enum Sender: Sendable, Equatable {
        case from(String)
        case messagingService(String)
    }
    public let sender: Sender
    /// Where Twilio posts delivery receipts (`…/v1/webhooks/twilio/status`); nil: none asked.
    public let statusCallback: String?
    public var timeout: Duration = .seconds(10)
    public var concurrency = 8

    public static let defaultAPIBase = "https://api.twilio.com"

    public init(
        apiBase: String = TwilioConfiguration.defaultAPIBase, accountSID: String, authToken: String,
        apiKey: (sid: String, secret: String)? = nil, sender: Sender, statusCallback: String? = nil
    ) throws {
        let base = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        try WebhookConfiguration.checkProviderURL(base, variable: "LIFELINE_TWILIO_API_BASE", carries: "codes and the auth token")
        guard accountSID.hasPrefix("AC"), accountSID.count == 34 else {
            throw GatewayFailure.notConfigured(variable: "LIFELINE_TWILIO_ACCOUNT_SID", reason: "is not an account SID (AC and 32 characters)")
        }
        guard !authToken.isEmpty || apiKey != nil else {
            throw GatewayFailure.notConfigured(variable: "LIFELINE_TWILIO_AUTH_TOKEN", reason: "is not set")
        }
        self.apiBase = base
        self.accountSID = accountSID
        username = apiKey?.sid ?? accountSID
        password = apiKey?.secret ?? authToken
        self.sender = sender
        self.statusCallback = statusCallback
    }
}
