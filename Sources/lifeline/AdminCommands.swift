import ArgumentParser
import LifelineService

extension ConsoleRole: ExpressibleByArgument {}

extension Lifeline {
    /// `lifeline admins`: who may use the administration console.
    struct Admins: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "admins",
            abstract: "Administration console accounts: directory users given the operator or admin role.",
            discussion: """
                Operators see and run continuity events and opt-in lookups; admins also import, choose \
                the SMS attribute, fix numbers and change settings. Console accounts sign in with their \
                directory password and always a code by SMS, so each needs a valid SMS number.

                Examples:
                  lifeline admins grant maria.garcia@example.com --role operator --on-call
                  lifeline admins on-call maria.garcia@example.com --off
                  lifeline admins list
                """,
            subcommands: [Grant.self, List.self, OnCall.self, Revoke.self])
    }
}

extension Lifeline.Admins {
    struct Grant: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "grant", abstract: "Give a directory user a console role (replacing the one they had).",
            discussion: """
                The user needs a number SMS is sent to (console sign-in always asks for a code) and a \
                directory password. Someone imported from your own directory has none yet: --send-reset \
                texts them a password reset code at once, which they enter at the portal link printed \
                (/portal/reset/code?request=…) to set their password; or they ask for a new code at \
                /portal/reset, linked from the console's sign-in page.

                Example, the first admin from your own directory:
                  lifeline admins grant ann.lee@example.com --role admin --send-reset
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var actor: ActorOption
        @Argument(help: "The user's email.") var email: String
        @Option(help: "operator or admin.") var role: ConsoleRole
        @Flag(help: "Also start a password reset by SMS for them, so they can set (or reset) their password.")
        var sendReset = false
        @Flag(
            name: .customLong("on-call"), inversion: .prefixedNo,
            help: "Text them when monitoring drafts an event (default: keep their choice; off for a new account).")
        var onCall: Bool?

        func run() throws {
            let environment = global.environment
            let (account, hasPassword) = try ConsoleAccounts(environment).grant(email: email, role: role, onCall: onCall, actor: actor.name)
            print("\(account.email) is now a console \(account.role.rawValue)" + (account.onCall ? ", on call" : ""))
            if sendReset {
                let outcome = try PasswordResetService(environment).startForAccount(email: account.email)
                switch outcome.status {
                case .sent:
                    Diagnostics.note(
                        "A password reset code is on its way to their phone (request \(outcome.requestID)), sent once "
                            + "`lifeline serve` (or `outbox dispatch`) runs. They enter it at /portal/reset/code?request=\(outcome.requestID), "
                            + "set a password, then sign in at /console.")
                case .rateLimited:
                    throw AdminCommandFailure.resetRateLimited(email: account.email)
                case .rejected, .approved, .superseded:
                    throw AdminCommandFailure.resetNotAllowed(email: account.email)
                }
            } else if !hasPassword {
                Diagnostics.note(
                    "\(account.email) has no password yet, so cannot sign in. Send them a reset code by SMS to set one: "
                        + "lifeline admins grant \(account.email) --role \(account.role.rawValue) --send-reset")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Every console account, by email.",
            discussion: """
                Example:
                  lifeline admins list --format csv
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let accounts = try ConsoleAccounts(global.environment).list()
            ResultWriter(format: output.format).print(
                .list(
                    columns: ["email", "role", "on_call", "granted_at", "granted_by"],
                    rows: accounts.map {
                        [.text($0.email), .text($0.role.rawValue), .text($0.onCall ? "yes" : "no"), .date($0.grantedAt), .text($0.grantedBy)]
                    }))
        }
    }

    struct OnCall: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "on-call", abstract: "Turn a console account's on-call notices on or off.",
            discussion: """
                Someone on call is texted, in the priority lane, when monitoring drafts an event: a \
                one-time link (24 hours) to its confirm page, again every 30 minutes until someone \
                starts, dismisses, cancels or ends it. Without --on or --off, says which it is.

                Example:
                  lifeline admins on-call maria.garcia@example.com --on
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The console account's email.") var email: String
        @Flag(help: "--on or --off.") var state: OnCallState?

        enum OnCallState: String, EnumerableFlag {
            case on, off
        }

        func run() throws {
            let accounts = ConsoleAccounts(global.environment)
            if let state { try accounts.setOnCall(email: email, state == .on) }
            print("\(email) is \(try accounts.isOnCall(email: email) ? "on call" : "not on call")")
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Take a user's console role away, at once.",
            discussion: """
                Example:
                  lifeline admins revoke maria.garcia@example.com
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The user's email.") var email: String

        func run() throws {
            try ConsoleAccounts(global.environment).revoke(email: email)
            print("revoked: \(email) has no console role")
        }
    }
}

/// What `admins grant --send-reset` could not do; the role itself was granted.
enum AdminCommandFailure: LifelineFailure {
    case resetRateLimited(email: String)
    case resetNotAllowed(email: String)

    var kind: FailureKind {
        switch self {
        case .resetRateLimited: .busy
        case .resetNotAllowed: .configuration
        }
    }

    var message: String {
        switch self {
        case .resetRateLimited(let email): "\(email) has the role, but no reset code was sent: one was sent too recently"
        case .resetNotAllowed(let email):
            "\(email) has the role, but no reset code was sent: their authentication profile does not allow a reset by SMS"
        }
    }

    var remedy: String? {
        switch self {
        case .resetRateLimited: "try again in a few minutes"
        case .resetNotAllowed: "give them a profile that does (`lifeline profiles list`, `profiles assign`), then run this again"
        }
    }
}
