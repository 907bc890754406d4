import Hummingbird
import LifelineStore

/// The context of one request: Hummingbird's, plus the API key the client presented.
public struct LifelineRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated client; nil until ``APIKeyMiddleware`` has found a live key.
    public var client: APIKeyRecord?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
