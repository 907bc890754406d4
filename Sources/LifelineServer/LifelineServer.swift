import Hummingbird
import HummingbirdCore
import LifelineService
import Logging
import ServiceLifecycle

/// Builds the HTTP service over the service layer: the routes, their middleware and the
/// background work, as one Hummingbird application that swift-service-lifecycle runs and,
/// on SIGTERM or SIGINT, stops (finishing the requests in flight).
public enum LifelineServer {
    /// `services` run beside the server (the outbox dispatcher) and stop with it, in reverse order.
    /// The environment is the server's (``LifelineEnvironment/serving(from:)``): its database
    /// pooled and its work on ``DatabaseThreads``, which stop with the application.
    public static func makeApplication(
        environment: LifelineEnvironment, configuration: ServerConfiguration, logger: Logger,
        providers: ProviderChain? = nil, maximumConnections: Int = 1_000,
        services: [any Service] = [], onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = makeRouter(environment: environment, configuration: configuration, providers: providers)
        return Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .init(ConnectionLimits.idleTimeout))),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "Lifeline",
                availableConnectionsDelegate: MaximumAvailableConnections(maximumConnections, logger: logger)),
            // First, so it stops last, after the server and the services that use it.
            services: [environment.database] + services,
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// The routes, testable without a socket (HummingbirdTesting's `.router`).
    public static func makeRouter(
        environment: LifelineEnvironment, configuration: ServerConfiguration, providers: ProviderChain? = nil
    ) -> Router<LifelineRequestContext> {
        let database = environment.database
        let router = Router(context: LifelineRequestContext.self)
        router.add(
            middleware: RequestLogMiddleware(
                random: environment.random, resolver: ClientAddressResolver(trustedProxies: configuration.trustedProxies)))
        ServerMetrics.bootstrap()
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ProblemMiddleware())
        let routeTable = MethodNotAllowedMiddleware.RouteTable()
        router.add(middleware: MethodNotAllowedMiddleware(table: routeTable))
        let limits = RequestLimits(
            perAddress: configuration.requestsPerMinutePerAddress, perEmail: configuration.requestsPerMinutePerEmail,
            clock: environment.clock)
        HealthController(environment: environment, database: database, providers: providers).addRoutes(to: router)
        APIDocument.add(to: router)
        ServerMetrics.add(to: router, environment: environment, database: database, providers: providers)
        // Providers sign their requests instead of presenting an API key.
        TwilioController(environment: environment, database: database, configuration: configuration).addRoutes(to: router)
        ProviderWebhookController(environment: environment, database: database, secret: configuration.webhookSecret).addRoutes(to: router)
        KannelController(environment: environment, database: database).addRoutes(to: router)
        // Identity providers present a provisioning key, and SCIM has its own errors.
        SCIMController(environment: environment, database: database, configuration: configuration).addRoutes(to: router)
        let v1 = router.group("v1").add(middleware: APIKeyMiddleware(environment: environment, database: database))
        let portal = v1.group().add(middleware: RequireRole(role: .portal)).add(middleware: AddressLimitMiddleware(limits: limits))
        PasswordResetController(environment: environment, database: database, limits: limits).addRoutes(to: portal)
        SignInController(environment: environment, database: database, limits: limits).addRoutes(to: portal)
        let optIns = OptInController(environment: environment, database: database, limits: limits)
        optIns.addPortalRoutes(to: portal)
        let operators = v1.group().add(middleware: RequireRole(role: .operator))
        optIns.addOperatorRoutes(to: operators)
        EventController(environment: environment, database: database).addRoutes(to: operators)
        TemplateController(environment: environment, database: database).addRoutes(to: operators)
        ResponsesController(environment: environment, database: database).addRoutes(to: operators)
        DirectoryController(environment: environment, database: database).addRoutes(to: operators)
        OutboxController(environment: environment, database: database).addRoutes(to: operators)
        // Only a trigger key: a monitor's key drafts events and does nothing else.
        let monitors = v1.group().add(middleware: RequireRole(role: .trigger))
        TriggerController(environment: environment, database: database, publicURL: configuration.publicURL).addRoutes(to: monitors)
        let admins = v1.group().add(middleware: RequireRole(role: .admin))
        ImportController(environment: environment, database: database).addRoutes(to: admins)
        SMSNumberController(environment: environment, database: database).addRoutes(to: admins)
        SettingsController(environment: environment, database: database).addRoutes(to: admins)
        addPages(to: router, site: PageSite(
                environment: environment, database: database, limits: limits, configuration: configuration, providers: providers))
        routeTable.record(router.routes.map { ($0.method.rawValue, $0.path) })
        return router
    }

    /// Whether `path` is a page or a page's asset (HTML for people), not the API (JSON for
    /// programs) that docs/openapi.json describes.
    public static func isPagePath(_ path: String) -> Bool {
        guard let first = path.split(separator: "/").first else { return true }
        return ["portal", "console", "static"].contains(first)
    }

    /// Whether `path` is SCIM's (`/scim/v2/…`), which RFC 7643's own discovery documents
    /// (`/scim/v2/Schemas`, `ResourceTypes`, `ServiceProviderConfig`) describe, not docs/openapi.json.
    public static func isSCIMPath(_ path: String) -> Bool {
        path.split(separator: "/").first == "scim"
    }

    /// The portal's and the console's pages. Their errors are pages too (``ProblemMiddleware``).
    private static func addPages(to router: Router<LifelineRequestContext>, site: PageSite) {
        StaticRoutes.add(to: router)
        router.get { _, _ in
            var headers: HTTPFields = [.location: "/portal"]
            SecurityHeaders.apply(to: &headers)
            return Response(status: .seeOther, headers: headers)
        }
        let portal = router.group("portal").add(middleware: AddressLimitMiddleware(limits: site.limits))
        PortalPages(site: site).add(to: portal)
        PasswordResetPages(site: site).add(to: portal)
        SignInPages(site: site, area: .portal, home: "/portal/alerts").add(to: portal)
        let console = router.group("console").add(middleware: AddressLimitMiddleware(limits: site.limits))
        SignInPages(site: site, area: .console, home: "/console").add(to: console)
        let pages = ConsoleRouter(group: console, site: site)
        ConsoleHomePage(site: site).add(to: pages)
        ConsoleEventPages(site: site).add(to: pages)
        ConsoleOptInPages(site: site).add(to: pages)
        ConsoleSMSPages(site: site).add(to: pages)
        ConsoleImportPages(site: site).add(to: pages)
        ConsoleDirectoryPages(site: site).add(to: pages)
        ConsoleNoticePages(site: site).add(to: pages)
        ConsoleTemplatePages(site: site).add(to: pages)
    }
}
