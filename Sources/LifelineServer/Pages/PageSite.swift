import FoundationEssentials
import Hummingbird
import LifelineService
import Synchronization

/// What every page handler shares: the service's environment, the database threads, the
/// request limits and whether cookies must be `Secure`.
struct PageSite: Sendable {
    let environment: LifelineEnvironment
    let database: Database
    let limits: RequestLimits
    /// True when the public URL is `https`: the server sits behind TLS (its own proxy).
    let secureCookies: Bool
    /// Who keeps asking for the reset captcha.
    let captchaPressure: CaptchaPressure
    /// Whether a template asking for a value its view lacks is an error (``ServerConfiguration/checksPageValues``).
    let checksPageValues: Bool
    /// The dispatcher's providers, when this process runs one: the event page's pace.
    let providers: ProviderChain?
    /// Where people reach the server (`--public-url`): the on-call notices' links.
    let publicURL: String?
    private let signerCache = SignerCache()

    init(
        environment: LifelineEnvironment, database: Database, limits: RequestLimits, configuration: ServerConfiguration,
        providers: ProviderChain?
    ) {
        self.environment = environment
        self.providers = providers
        self.database = database
        self.limits = limits
        captchaPressure = CaptchaPressure(clock: environment.clock)
        secureCookies = configuration.marksCookiesSecure
        checksPageValues = configuration.checksPageValues
        publicURL = configuration.publicURL
    }

    /// The signer, made on first use: it reads (or creates) the secret, which a server started
    /// before any code was sent may not have yet.
    func signer() async throws -> PageSigner {
        if let signer = signerCache.value.withLock({ $0 }) { return signer }
        let environment = environment
        let signer = try await database.write { try PageSigner(environment) }
        signerCache.value.withLock { $0 = signer }
        return signer
    }

    private final class SignerCache: Sendable {
        let value = Mutex<PageSigner?>(nil)
    }
}
