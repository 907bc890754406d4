import Glibc
import LifelineService
import LifelineWebhook

/// The process environment, read one variable at a time.
///
/// getenv rather than ProcessInfo.environment, which copies the whole environment into a
/// dictionary (a million instructions at every start) to read one variable.
enum ProcessEnvironment {
    /// The variable's value; nil when it is unset or empty, as an empty setting means none.
    static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// What a PostgreSQL URL may take from the environment, as libpq does: the password
    /// (`PGPASSWORD`, else the passfile `PGPASSFILE` or `~/.pgpass`) and the default user.
    static var postgresVariables: [String: String] {
        var variables: [String: String] = [:]
        for name in ["PGPASSWORD", "PGPASSFILE", "PGUSER", "USER", "HOME"] { variables[name] = value(name) }
        return variables
    }
}

/// The CLI's composition root: every option and environment variable the service depends on is
/// read here, once, into a ``LifelineEnvironment`` and the gateways' configurations.
extension GlobalOptions {
    /// The database, the real clock and CSPRNG, and the secret (`LIFELINE_SECRET`, else the key
    /// file `LIFELINE_SECRET_FILE`, else `<database>.key`).
    var environment: LifelineEnvironment {
        let database = settings
        let secret: SecretSource =
            if let value = ProcessEnvironment.value("LIFELINE_SECRET") {
                .value(value)
            } else if let path = ProcessEnvironment.value("LIFELINE_SECRET_FILE") {
                .keyFile(path: path)
            } else if let file = database.filePath {
                .keyFile(besideDatabase: file)
            } else {
                .notNamed
            }
        return LifelineEnvironment(database: database, secret: secret)
    }

    /// The file gateway's file: `LIFELINE_OUTBOX_FILE`, else `<database>.outbox.jsonl`.
    var outboxFile: String {
        ProcessEnvironment.value("LIFELINE_OUTBOX_FILE")
            ?? FileGateway.defaultPath(database: settings.filePath ?? "./lifeline")
    }

    /// `LIFELINE_TWILIO_*`: the account, the auth token (or an API key), the sender, the API base.
    func twilioConfiguration(statusCallback: String? = nil) throws -> TwilioConfiguration {
        guard let account = ProcessEnvironment.value("LIFELINE_TWILIO_ACCOUNT_SID") else {
            throw GatewayFailure.notConfigured(variable: "LIFELINE_TWILIO_ACCOUNT_SID", reason: "is not set")
        }
        let sender: TwilioConfiguration.Sender
        if let service = ProcessEnvironment.value("LIFELINE_TWILIO_MESSAGING_SERVICE_SID") {
            sender = .messagingService(service)
        } else if let from = ProcessEnvironment.value("LIFELINE_TWILIO_FROM") {
            sender = .from(from)
        } else {
            throw GatewayFailure.notConfigured(
                variable: "LIFELINE_TWILIO_FROM", reason: "is not set (nor LIFELINE_TWILIO_MESSAGING_SERVICE_SID): who sends?")
        }
        let apiKey = ProcessEnvironment.value("LIFELINE_TWILIO_API_KEY_SID").flatMap { sid in
            ProcessEnvironment.value("LIFELINE_TWILIO_API_KEY_SECRET").map { (sid: sid, secret: $0) }
        }
        return try TwilioConfiguration(
            apiBase: ProcessEnvironment.value("LIFELINE_TWILIO_API_BASE") ?? TwilioConfiguration.defaultAPIBase,
            accountSID: account, authToken: ProcessEnvironment.value("LIFELINE_TWILIO_AUTH_TOKEN") ?? "", apiKey: apiKey,
            sender: sender, statusCallback: statusCallback)
    }

    /// `LIFELINE_KANNEL_*`: the sendsms URL, its user, and optionally the sender and the SMSC.
    /// Receipts are asked for when `receiptURL` is given, with tokens from the secret.
    func kannelConfiguration(receiptURL: String?, environment: LifelineEnvironment) throws -> KannelConfiguration {
        guard let url = ProcessEnvironment.value("LIFELINE_KANNEL_SENDSMS_URL") else {
            throw GatewayFailure.notConfigured(
                variable: "LIFELINE_KANNEL_SENDSMS_URL", reason: "is not set: where is Kannel's sendsms interface?")
        }
        let tokens = try receiptURL.flatMap { _ in
            try environment.secret.keys(create: true, random: environment.random).map(KannelTokens.init)
        }
        return try KannelConfiguration(
            sendsmsURL: url, username: ProcessEnvironment.value("LIFELINE_KANNEL_USERNAME") ?? "",
            password: ProcessEnvironment.value("LIFELINE_KANNEL_PASSWORD") ?? "",
            from: ProcessEnvironment.value("LIFELINE_KANNEL_FROM"), smsc: ProcessEnvironment.value("LIFELINE_KANNEL_SMSC"),
            receiptURL: receiptURL, tokens: tokens)
    }

    /// `LIFELINE_WEBHOOK_URL` and `LIFELINE_WEBHOOK_SECRET`; a configuration failure when unset.
    func webhookConfiguration() throws -> WebhookConfiguration {
        guard let url = ProcessEnvironment.value("LIFELINE_WEBHOOK_URL") else {
            throw GatewayFailure.notConfigured(variable: "LIFELINE_WEBHOOK_URL", reason: "is not set: where should messages go?")
        }
        guard let secret = ProcessEnvironment.value("LIFELINE_WEBHOOK_SECRET") else {
            throw GatewayFailure.notConfigured(
                variable: "LIFELINE_WEBHOOK_SECRET", reason: "is not set: requests are always signed")
        }
        return try WebhookConfiguration(url: url, secret: Array(secret.utf8))
    }
}
