import ArgumentParser
import FoundationEssentials
import LifelineServer
import LifelineLDAP
import LifelineService
import LifelineWebhook
import Logging
import ServiceLifecycle

extension Lifeline {
    /// `lifeline serve`: the HTTP service, until SIGTERM or SIGINT.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Run the HTTP service: the API for the portal, operators and admins.",
            discussion: """
                Listens on --listen (default $LIFELINE_LISTEN, else 127.0.0.1:8080); put TLS in a reverse \
                proxy in front. SIGTERM or SIGINT stops accepting, finishes the requests in flight and \
                exits 0. The database must be migrated first (`lifeline migrate`); serve never migrates.
                Beside the API it sends the outbox (as `outbox dispatch`), starts and ends events at their \
                --starts-at and --ends-at, and purges ended codes at --purge-at.
                Logs are JSON lines on standard error.

                Pages: /portal (end users: alerts opt-in, password reset at /portal/reset) and /console \
                (operators and admins: events, opt-in lookups, import, SMS numbers). The API is under \
                /v1, described at /openapi.json; /livez, /readyz and /metrics are for the platform.

                Providers (--gateway, in order of preference): file appends messages to \
                $LIFELINE_OUTBOX_FILE (a trial); twilio needs LIFELINE_TWILIO_ACCOUNT_SID, \
                LIFELINE_TWILIO_AUTH_TOKEN (or LIFELINE_TWILIO_API_KEY_SID and _SECRET) and \
                LIFELINE_TWILIO_FROM (or LIFELINE_TWILIO_MESSAGING_SERVICE_SID); kannel needs \
                LIFELINE_KANNEL_SENDSMS_URL, _USERNAME and _PASSWORD (`lifeline kannel config` prints \
                Kannel's side); webhook needs LIFELINE_WEBHOOK_URL and LIFELINE_WEBHOOK_SECRET. A provider \
                that fails three times in a row is left for the next one until a probe after a lease \
                period succeeds.

                Examples:
                  lifeline serve --gateway file
                  export LIFELINE_TWILIO_ACCOUNT_SID=AC… LIFELINE_TWILIO_AUTH_TOKEN=…
                  export LIFELINE_TWILIO_FROM=+447700900000
                  lifeline serve --gateway twilio,kannel --public-url https://sms.example.org
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "HOST:PORT to listen on (port 0 picks a free one). (default: $LIFELINE_LISTEN, else 127.0.0.1:8080)")
        var listen: String?
        @OptionGroup var sending: SendingOptions
        @Option(help: "The https:// address clients reach this server at through a proxy; Twilio signs requests for it, and on-call notices link to it. (default: $LIFELINE_PUBLIC_URL)")
        var publicURL: String?
        @Option(help: "Purge ended codes nightly at this local time (HH:MM, such as 03:15), as scripts/nightly-purge does.")
        var purgeAt: String?
        @Option(help: "A proxy (CIDR, such as 10.0.0.0/8 or ::1) whose X-Forwarded-For names the client; repeat for more.")
        var trustedProxy: [String] = []
        @Option(help: "Portal requests a minute from one client address (1–100000).") var addressLimit = 120
        @Option(help: "Portal requests a minute naming one email: resets, sign-ins, codes, opt-ins (1–10000).") var emailLimit = 10
        @Option(help: "SCIM requests a minute from one provisioning key (1–1000000).") var provisioningLimit = 6_000
        @Option(help: "Sync the directory from LDAP this often (such as 1h or 15m), with the settings in --sync-ldap-config.")
        var syncLDAPEvery: String?
        @Option(help: "The LDAP sync's settings file, as `lifeline sync ldap --config` reads it.")
        var syncLDAPConfig: String?

        func validate() throws {
            if let listen, ServerConfiguration(listen: listen) == nil {
                throw ValidationError("--listen must be HOST:PORT (such as 127.0.0.1:8080 or [::1]:8080), not '\(listen)'")
            }
            for proxy in trustedProxy where AddressRange(proxy) == nil {
                throw ValidationError("--trusted-proxy must be an address or a CIDR block (such as 10.0.0.0/8 or fd00::/8), not '\(proxy)'")
            }
            if let purgeAt, TimeOfDay(purgeAt) == nil {
                throw ValidationError("--purge-at must be a time of day as HH:MM (such as 03:15), not '\(purgeAt)'")
            }
            try OptionRanges.addressLimit.check(addressLimit)
            try OptionRanges.emailLimit.check(emailLimit)
            try OptionRanges.provisioningLimit.check(provisioningLimit)
            if let syncLDAPEvery {
                guard let seconds = DurationArgument.seconds(in: syncLDAPEvery), seconds >= 60, seconds <= 7 * 86_400 else {
                    throw ValidationError("--sync-ldap-every must be a duration from 1m to 7d, such as 15m or 1h, not '\(syncLDAPEvery)'")
                }
                guard syncLDAPConfig != nil else { throw ValidationError("--sync-ldap-every needs --sync-ldap-config FILE") }
            } else if syncLDAPConfig != nil {
                throw ValidationError("--sync-ldap-config needs --sync-ldap-every (such as 1h)")
            }
        }

        func run() async throws {
            let text = listen ?? ProcessEnvironment.value("LIFELINE_LISTEN") ?? "127.0.0.1:8080"
            guard var configuration = ServerConfiguration(listen: text) else {
                throw ServeFailure.badListen(text)
            }
            configuration.publicURL = publicURL ?? ProcessEnvironment.value("LIFELINE_PUBLIC_URL")
            configuration.twilioAuthToken = ProcessEnvironment.value("LIFELINE_TWILIO_AUTH_TOKEN")
            configuration.trustedProxies = trustedProxy.compactMap(AddressRange.init)
            configuration.requestsPerMinutePerAddress = addressLimit
            configuration.requestsPerMinutePerEmail = emailLimit
            configuration.provisioningRequestsPerMinute = provisioningLimit
            configuration.webhookSecret = ProcessEnvironment.value("LIFELINE_WEBHOOK_SECRET").map { Array($0.utf8) }
            configuration.checksPageValues = ProcessEnvironment.value("LIFELINE_CHECK_PAGES") == "1"
            // A long-running process keeps its connections (a request does not reopen the file)
            // and runs its database work on threads of its own.
            let location = global.settings.location
            let environment = global.environment.serving(
                from: DatabaseThreads(writers: location.concurrentWriters, readers: location.concurrentReaders))
            // Refuse before listening: a database that needs `lifeline migrate` is exit 78.
            try DatabaseMaintenance(environment).checkReady()
            let logger = Logger(label: "lifeline") { JSONLogHandler(label: $0) }
            let providers = try sending.providers(global: global, environment: environment, publicURL: configuration.publicURL)
            let dispatcher = DispatchService(
                environment: environment, providers: providers, options: try sending.dispatchOptions(limit: 1_000),
                work: environment.database.places.writing, logger: logger)
            let maximumConnections = ConnectionLimits.raiseDescriptorLimit()
            let application = LifelineServer.makeApplication(
                environment: environment, configuration: configuration, logger: logger, providers: providers,
                maximumConnections: maximumConnections,
                services: [
                    dispatcher,
                    ScheduleService(
                        environment: environment, writer: environment.database.places.writing, background: environment.database.places.reading,
                        purgeAt: purgeAt.flatMap(TimeOfDay.init), publicURL: configuration.publicURL, logger: logger),
                ] + (try directorySync(environment: environment, logger: logger).map { [$0] } ?? [])
            ) { [configuration] port in
                logger.info(
                    "listening",
                    metadata: ["address": .string("\(configuration.host):\(port)"), "max_connections": .stringConvertible(maximumConnections)])
                // One plain line for the person who started it, besides the JSON log (and a warning).
                for line in configuration.startUpLines(port: port) { Diagnostics.note(line) }
            }
            // SIGTERM or SIGINT: stop accepting, finish the requests in flight, and after the
            // deadline close whatever is left (a client that stopped mid-body keeps no server alive).
            var group = ServiceGroupConfiguration(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            group.maximumGracefulShutdownDuration = ConnectionLimits.shutdownDeadline
            group.maximumCancellationDuration = ConnectionLimits.shutdownDeadline
            try await ServiceGroup(configuration: group).run()
        }
    }
}

extension Lifeline.Serve {
    /// The scheduled LDAP sync, when asked for: its settings file is read and checked before
    /// the server listens, so a mistake in it stops the start rather than every sync.
    func directorySync(environment: LifelineEnvironment, logger: Logger) throws -> DirectorySyncService? {
        guard let syncLDAPEvery, let syncLDAPConfig, let seconds = DurationArgument.seconds(in: syncLDAPEvery) else { return nil }
        guard let data = FileManager.default.contents(atPath: syncLDAPConfig) else {
            throw LDAPSyncFailure.badFile(path: syncLDAPConfig, line: nil, reason: "cannot be read")
        }
        let settings = try LDAPSyncSettings(file: String(decoding: data, as: UTF8.self), path: syncLDAPConfig).checked()
        _ = try settings.password()
        return DirectorySyncService(
            environment: environment, settings: settings, every: .seconds(seconds), open: { try LDAPClient(settings: $0) }, logger: logger)
    }
}

/// `lifeline serve` cannot start.
enum ServeFailure: LifelineFailure {
    case badListen(String)
    var kind: FailureKind { .configuration }
    var message: String {
        switch self {
        case .badListen(let text): "LIFELINE_LISTEN must be HOST:PORT, not '\(text)'"
        }
    }
    var remedy: String? { nil }
}
