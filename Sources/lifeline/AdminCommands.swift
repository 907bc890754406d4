import ArgumentParser
import LifelineService
import LifelineStore

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
                """,
            subcommands: [Grant.self, List.self, Revoke.self])
    }
}

extension Lifeline.Admins {
    struct Grant: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "grant", abstract: "Give a directory user a console role (replacing the one they had).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var actor: ActorOption
        @Argument(help: "The user's email.") var email: String
        @Option(help: "operator or admin.") var role: ConsoleRole

        func run() throws {
            let (account, hasPassword) = try ConsoleAccounts(global.environment).grant(email: email, role: role, actor: actor.name)
            print("\(account.email) is now a console \(account.role.rawValue)")
            if !hasPassword {
                Diagnostics.note(
                    "\(account.email) has no password yet: they set one with a password reset (`lifeline reset start`) before signing in.")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Every console account, by email.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let accounts = try ConsoleAccounts(global.environment).list()
            ResultWriter(format: output.format).print(
                .list(
                    columns: ["email", "role", "granted_at", "granted_by"],
                    rows: accounts.map { [.text($0.email), .text($0.role.rawValue), .date($0.grantedAt), .text($0.grantedBy)] }))
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Take a user's console role away, at once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The user's email.") var email: String

        func run() throws {
            try ConsoleAccounts(global.environment).revoke(email: email)
            print("revoked: \(email) has no console role")
        }
    }
}
