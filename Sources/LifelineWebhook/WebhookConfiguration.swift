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
        try Self.checkProviderURL(url, variable: "LIFELINE_WEBHOOK_URL", carries: "codes")
        guard secret.count >= 16 else {
            throw GatewayFailure.notConfigured(
                variable: "LIFELINE_WEBHOOK_SECRET", reason: "must be at least 16 bytes, so the signature means something")
        }
        self.url = url
        self.secret = secret
    }

    /// Refuses what is not an http(s) URL, and plain http to anything but this machine: the
    /// requests carry `carries` (codes, a password), which must not cross a network in clear.
    static func checkProviderURL(_ url: String, variable: String, carries: String) throws {
        let lowered = url.lowercased()
        guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://"), url.count > 8 else {
            throw GatewayFailure.notConfigured(variable: variable, reason: "'\(url)' is not an http:// or https:// URL")
        }
        if lowered.hasPrefix("http://"), !isLoopback(host: host(of: lowered)) {
            throw GatewayFailure.notConfigured(
                variable: variable,
                reason: "'\(url)' is plain http to another host, which would carry \(carries) in clear: use https:// "
                    + "(http:// is accepted only for 127.0.0.1, ::1 or localhost)")
        }
    }

    /// The host of a lower-cased `scheme://host[:port]/…` URL, without brackets around IPv6.
    static func host(of url: String) -> String {
        let afterScheme = url.split(separator: "://", maxSplits: 1).last ?? ""
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostAndPort = authority.split(separator: "@").last ?? ""
        if hostAndPort.hasPrefix("["), let close = hostAndPort.firstIndex(of: "]") {
            return String(hostAndPort[hostAndPort.index(after: hostAndPort.startIndex)..<close])
        }
        return String(hostAndPort.prefix { $0 != ":" })
    }

    /// 127.0.0.0/8, ::1 and localhost: addresses that never leave this machine.
    static func isLoopback(host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
