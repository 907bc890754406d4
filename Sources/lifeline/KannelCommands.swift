import ArgumentParser
import LifelineService
import LifelineWebhook

extension Lifeline {
    /// `lifeline kannel`: Kannel's side of sending through it.
    struct Kannel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kannel", abstract: "Kannel, the open-source SMS gateway, as a provider.",
            discussion: """
                Example:
                  lifeline kannel config --public-url https://sms.example.org
                """,
            subcommands: [Config.self])
    }
}

extension Lifeline.Kannel {
    struct Config: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "config",
            abstract: "Print the sendsms-user and sms-service groups that connect Kannel to this installation.",
            discussion: """
                The sendsms-user group is the user LIFELINE_KANNEL_USERNAME and LIFELINE_KANNEL_PASSWORD \
                name; the sms-service group sends replies to <public URL>/v1/webhooks/kannel/sms with this \
                installation's token, derived from its secret (rotating the secret changes it: print the \
                groups again). Add them to a kannel.conf with a core group and an smsc group: docs/kannel.md \
                shows a whole one.

                Example:
                  lifeline kannel config --public-url https://sms.example.org
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "The https:// address Kannel reaches this server at. (default: $LIFELINE_PUBLIC_URL)")
        var publicURL: String?

        func run() throws {
            guard let url = publicURL ?? ProcessEnvironment.value("LIFELINE_PUBLIC_URL") else {
                throw ValidationError("--public-url is needed: where Kannel reaches Lifeline, such as https://sms.example.org")
            }
            guard url.lowercased().hasPrefix("https://") || url.lowercased().hasPrefix("http://") else {
                throw ValidationError("--public-url must be an https:// (or http://) address, not '\(url)'")
            }
            guard let username = ProcessEnvironment.value("LIFELINE_KANNEL_USERNAME"),
                let password = ProcessEnvironment.value("LIFELINE_KANNEL_PASSWORD")
            else {
                throw GatewayFailure.notConfigured(
                    variable: "LIFELINE_KANNEL_USERNAME and LIFELINE_KANNEL_PASSWORD",
                    reason: "must be set: the sendsms-user group printed here is the user Lifeline sends as")
            }
            let environment = global.environment
            guard let keys = try environment.secret.keys(create: true, random: environment.random) else {
                throw GatewayFailure.notConfigured(variable: "LIFELINE_SECRET", reason: "could not be read or created")
            }
            print(KannelSetup.groups(publicURL: url, username: username, password: password, tokens: KannelTokens(keys: keys)), terminator: "")
        }
    }
}
