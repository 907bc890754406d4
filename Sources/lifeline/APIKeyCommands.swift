import ArgumentParser
import LifelineService

extension APIKeyRole: ExpressibleByArgument {}

extension Lifeline {
    /// `lifeline api-keys`: the HTTP service's clients.
    struct APIKeysCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "api-keys", abstract: "API keys for the HTTP service's clients: create, list, revoke.",
            discussion: """
                Examples:
                  lifeline api-keys create portal-backend --role portal
                  lifeline api-keys list
                """,
            subcommands: [Create.self, List.self, Revoke.self])
    }
}

extension Lifeline.APIKeysCommand {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Make a key and print it once: only its SHA-256 is kept.",
            discussion: """
                Example:
                  lifeline api-keys create portal-backend --role portal --format json
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "A name for the client (unique among live keys).") var name: String
        @Option(
            help: "portal (resets, sign-in, opt-in for end users), operator, admin, provisioning (an identity provider's SCIM pushes, and nothing else), or trigger (a monitor drafting events from templates, and nothing else)."
        ) var role: APIKeyRole

        func run() throws {
            let created = try APIKeys(global.environment).create(name: name, role: role)
            ResultWriter(format: output.format).print(
                .record([("name", .text(created.name)), ("role", .text(created.role.rawValue)), ("key", .text(created.key))]))
            Diagnostics.note("Keep the key now: it is not stored and cannot be shown again.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Every key: never the key itself.",
            discussion: """
                Example:
                  lifeline api-keys list --format csv
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let keys = try APIKeys(global.environment).list()
            ResultWriter(format: output.format).print(
                .list(
                    columns: ["name", "role", "prefix", "created_at", "revoked_at"],
                    rows: keys.map {
                        [.text($0.name), .text($0.role.rawValue), .text($0.prefix), .date($0.createdAt), $0.revokedAt.map(Cell.date) ?? .null]
                    }))
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke", abstract: "Revoke a live key at once; its row stays, for the record.",
            discussion: """
                Example:
                  lifeline api-keys revoke portal-backend
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The key's name.") var name: String

        func run() throws {
            try APIKeys(global.environment).revoke(name: name)
            print("revoked: \(name)")
        }
    }
}
