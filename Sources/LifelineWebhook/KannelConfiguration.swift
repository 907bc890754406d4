import LifelineService

/// How the Kannel gateway sends (the CLI reads `LIFELINE_KANNEL_*`), checked before anything
/// is claimed.
public struct KannelConfiguration: Sendable {
    /// Kannel's `sendsms` interface, such as `http://127.0.0.1:13013/cgi-bin/sendsms`.
    public let sendsmsURL: String
    /// A `sendsms-user` group's username and password.
    public let username: String
    public let password: String
    /// The sender shown to recipients, when the `sendsms-user` group does not fix one.
    public let from: String?
    /// The SMSC to route through, when Kannel has several.
    public let smsc: String?
    /// Where Kannel posts delivery receipts: `<public URL>/v1/webhooks/kannel/status`; nil: none asked.
    public let receiptURL: String?
    /// The receipts' per-message tokens.
    public let tokens: KannelTokens?
    public var timeout: Duration = .seconds(10)
    public var concurrency = 8

    /// Kannel's delivery-report types asked for: 1 delivered, 2 undelivered, 16 refused by the SMSC.
    static let receiptMask = 1 + 2 + 16

    public init(
        sendsmsURL: String, username: String, password: String, from: String? = nil, smsc: String? = nil,
        receiptURL: String? = nil, tokens: KannelTokens? = nil
    ) throws {
        try WebhookConfiguration.checkProviderURL(sendsmsURL, variable: "LIFELINE_KANNEL_SENDSMS_URL", carries: "codes and the password")
        guard !username.isEmpty else {
            throw GatewayFailure.notConfigured(variable: "LIFELINE_KANNEL_USERNAME", reason: "is not set")
        }
        guard !password.isEmpty else {
            throw GatewayFailure.notConfigured(variable: "LIFELINE_KANNEL_PASSWORD", reason: "is not set")
        }
        self.sendsmsURL = sendsmsURL
        self.username = username
        self.password = password
        self.from = from
        self.smsc = smsc
        self.receiptURL = receiptURL
        self.tokens = tokens
    }
}
