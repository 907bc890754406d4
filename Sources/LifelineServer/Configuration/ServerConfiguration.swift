/// Where `lifeline serve` listens; built by the CLI from `--listen` or `LIFELINE_LISTEN`.
public struct ServerConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// The address clients reach this server at through a proxy (`https://sms.example.org`),
    /// which Twilio signs requests for; nil rebuilds it from each request.
    public var publicURL: String?
    /// Twilio's auth token: the key of `X-Twilio-Signature` (`LIFELINE_TWILIO_AUTH_TOKEN`).
    public var twilioAuthToken: String?
    /// The secret other providers sign their webhooks with (`LIFELINE_WEBHOOK_SECRET`).
    public var webhookSecret: [UInt8]?
    /// Proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`); no one's by default.
    public var trustedProxies: [AddressRange] = []
    /// Portal requests a minute from one client address, and naming one email (`--address-limit`, `--email-limit`).
    public var requestsPerMinutePerAddress = 120
    public var requestsPerMinutePerEmail = 10
    /// SCIM requests a minute from one provisioning key (`--provisioning-limit`): an identity
    /// provider's first push of a large directory comes as fast as it can.
    public var provisioningRequestsPerMinute = 6_000
    /// Whether a page whose template asks for a value its view does not have is answered 500
    /// (naming the keys) instead of rendered with a blank: on in tests, so a renamed field
    /// fails a test rather than a page in production.
    public var checksPageValues = false

    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }

    /// Whether page cookies are marked `Secure`: only behind an `https` public address, since a
    /// browser drops a Secure cookie sent over plain HTTP.
    public var marksCookiesSecure: Bool { publicURL?.lowercased().hasPrefix("https://") ?? false }

    /// Whether only this machine can connect: a loopback address or `localhost`.
    public var listensOnLoopbackOnly: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// What `serve` says at start-up besides its log, once it listens on `port`: where the API,
    /// the portal and the console are, and a warning when others can connect over plain HTTP.
    public func startUpLines(port: Int) -> [String] {
        let local = "http://" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        let base = publicURL ?? local
        var lines = [
            "Lifeline is serving \(local)\(publicURL.map { " (reached as \($0))" } ?? ""): "
                + "the API at \(base)/v1, the portal at \(base)/portal, the console at \(base)/console"
        ]
        if !listensOnLoopbackOnly && !marksCookiesSecure {
            lines.append(
                "warning: listening on \(host), which other machines can reach, without an https --public-url: sign-in cookies "
                    + "are not marked Secure and travel in the clear. Put TLS in a proxy in front and give its address as "
                    + "--public-url https://…")
        }
        return lines
    }

    /// `HOST:PORT` (`[::1]:8080` for IPv6); nil when it is not one.
    public init?(listen text: String) {
        let hostPart: Substring, portPart: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard !hostPart.isEmpty, let port = Int(portPart), (0...65_535).contains(port) else { return nil }
        self.init(host: String(hostPart), port: port)
    }
}
