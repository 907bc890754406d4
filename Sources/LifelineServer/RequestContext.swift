import Hummingbird
import LifelineStore
import Logging

/// The context of one request: Hummingbird's, plus who is asking.
public struct LifelineRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated client; nil until ``APIKeyMiddleware`` has found a live key.
    public var client: APIKeyRecord?
    /// The TCP peer: the client, or the proxy in front of it.
    let peer: IPAddress?
    /// The client's address, after believing trusted proxies' `X-Forwarded-For` (``RequestLogMiddleware``).
    var clientAddress: IPAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress?.ipAddress.flatMap { IPAddress($0) }
    }
}
