import ArgumentParser
import LifelineService
import LifelineWebhook

/// A provider `--gateway` can name.
enum GatewayChoice: String, ExpressibleByArgument, CaseIterable {
    case file = "file", webhook = "webhook", twilio = "twilio", kannel = "kannel"

    /// Parts a second when `--gateway-rate` does not say: what the provider takes without
    /// refusing. A Twilio long code sends one a second; Kannel queues for its SMSC, which it
    /// paces itself. The file and a webhook relay take what they are given.
    var defaultRate: Double? {
        switch self {
        case .twilio: 1
        case .kannel: 10
        case .file, .webhook: nil
        }
    }
}

/// How `outbox dispatch` and `serve` send: which providers, in order, at what pace, holding a
/// claim how long, and how old a message may grow.
struct SendingOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Providers in order of preference, comma-separated: file, webhook, twilio, kannel. (default: $LIFELINE_GATEWAY, else file)",
            valueName: "names"))
    var gateway: String?
    @Option(
        help: ArgumentHelp(
            "A provider's pace in SMS parts a second (twilio=1, kannel=10 unless set); repeat for each.", valueName: "name=rate"))
    var gatewayRate: [String] = []
    @Option(help: "The pace of every provider --gateway-rate does not name, in SMS parts a second (0.01–100000).")
    var rate: Double?
    @Option(help: "Seconds a claimed message stays reserved; a dispatcher that dies frees it then.")
    var leaseSeconds = 120
    @Option(help: "Expire, rather than send, what has waited longer than this: 90s, 30m, 24h or 7d.")
    var maxQueueAge = "24h"

    func validate() throws {
        _ = try choices()
        _ = try rates()
        if let rate { try OptionRanges.dispatchRate.check(rate) }
        try OptionRanges.leaseSeconds.check(leaseSeconds)
        _ = try queueAge()
    }

    /// The providers named, in order.
    func choices() throws -> [GatewayChoice] {
        let text = gateway ?? ProcessEnvironment.value("LIFELINE_GATEWAY") ?? GatewayChoice.file.rawValue
        let names = text.split(separator: ",").map { String($0).trimmingBlanks() }
        let known = GatewayChoice.allCases.map(\.rawValue).joined(separator: ", ")
        var choices: [GatewayChoice] = []
        for name in names {
            guard let choice = GatewayChoice(rawValue: name) else {
                throw ValidationError("--gateway names '\(name)', which is not a provider: use \(known)")
            }
            guard !choices.contains(choice) else { throw ValidationError("--gateway names \(name) twice") }
            choices.append(choice)
        }
        guard !choices.isEmpty else { throw ValidationError("--gateway names no provider: use \(known)") }
        return choices
    }

    /// `--gateway-rate` by provider.
    func rates() throws -> [GatewayChoice: Double] {
        var rates: [GatewayChoice: Double] = [:]
        for entry in gatewayRate {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let choice = GatewayChoice(rawValue: parts[0]), let rate = Double(parts[1]) else {
                throw ValidationError("--gateway-rate must be NAME=PARTS_PER_SECOND (such as twilio=1), not '\(entry)'")
            }
            try OptionRange(option: "--gateway-rate \(parts[0])", range: 0.01...100_000.0, unit: "parts a second").check(rate)
            rates[choice] = rate
        }
        return rates
    }

    func queueAge() throws -> Duration {
        guard let seconds = DurationArgument.seconds(in: maxQueueAge), seconds > 0, seconds <= 3650 * 86_400 else {
            throw ValidationError("--max-queue-age must be a duration from 1s to 3650d, such as 90s, 30m, 24h or 7d, not '\(maxQueueAge)'")
        }
        return .seconds(seconds)
    }

    func dispatchOptions(limit: Int?) throws -> DispatchOptions {
        var options = DispatchOptions(limit: limit)
        options.lease = .seconds(leaseSeconds)
        options.maximumQueueAge = try queueAge()
        return options
    }

    /// A provider request must finish well inside the lease, or another dispatcher could take
    /// the message over while its answer is still on the way: a quarter of it, 1 to 10 seconds.
    var requestTimeout: Duration { .seconds(min(10, max(1, leaseSeconds / 4))) }

    /// A failed provider is probed again after one lease period, 1 to 30 seconds.
    var coolDown: Duration { .seconds(min(30, max(1, leaseSeconds))) }

    /// The chain the options name, each provider configured from its `LIFELINE_*` settings.
    /// `publicURL` is where providers send receipts (serve's `--public-url`); nil asks for none.
    func providers(global: GlobalOptions, environment: LifelineEnvironment, publicURL: String?) throws -> ProviderChain {
        let rates = try rates()
        let base = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        let providers = try choices().map { choice -> SMSProvider in
            let gateway: any MessageGateway & Sendable
            switch choice {
            case .file:
                gateway = FileGateway(path: global.outboxFile, clock: environment.clock)
            case .webhook:
                var configuration = try global.webhookConfiguration()
                configuration.timeout = requestTimeout
                gateway = WebhookGateway(configuration: configuration, clock: environment.clock)
            case .twilio:
                var configuration = try global.twilioConfiguration(statusCallback: base.map { $0 + "/v1/webhooks/twilio/status" })
                configuration.timeout = requestTimeout
                gateway = TwilioGateway(configuration: configuration)
            case .kannel:
                var configuration = try global.kannelConfiguration(
                    receiptURL: base.map { $0 + "/v1/webhooks/kannel/status" }, environment: environment)
                configuration.timeout = requestTimeout
                gateway = KannelGateway(configuration: configuration)
            }
            return SMSProvider(
                gateway: gateway, rate: rates[choice] ?? rate ?? choice.defaultRate, breaker: CircuitBreaker(coolDown: coolDown))
        }
        return ProviderChain(providers)
    }
}
