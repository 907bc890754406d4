import ArgumentParser
import LifelineService

extension Lifeline {
    /// `lifeline settings`: the service's settings.
    struct Settings: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "settings",
            abstract: "List or change settings.",
            discussion: """
                Examples:
                  lifeline settings list
                  lifeline settings set sms.default_country GB
                """, subcommands: [List.self, Set.self, Unset.self])

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", abstract: "Every setting, its value and whether it is the default.",
                discussion: """
                    Example:
                      lifeline settings list --format csv
                    """)
            @OptionGroup var global: GlobalOptions
            @OptionGroup var output: OutputOptions

            func run() throws {
                let values = try SettingsService(global.environment).list()
                ResultWriter(format: output.format).print(
                    .list(
                        columns: ["key", "value", "default", "description"],
                        rows: values.map { [.text($0.key), Cell($0.value), .bool($0.isDefault), .text($0.summary)] }))
            }
        }

        struct Set: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "set", abstract: "Change a setting (validated; the error gives the rule).",
                discussion: """
                    Examples:
                      lifeline settings set sms.default_country GB
                      lifeline settings set consent.support_contact "the service desk, 0800 000 000"
                    """)
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The setting's key (`lifeline settings list`).") var key: String
            @Argument(help: "The new value.") var value: String

            func run() throws {
                try SettingsService(global.environment).set(key, to: value)
                Diagnostics.note("\(key) is now '\(value)'.")
            }
        }

        struct Unset: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "unset", abstract: "Remove a setting's value, so its default applies again.",
                discussion: """
                    Unsetting sms.default_country judges every number again: national numbers are \
                    no longer sent to.

                    Example:
                      lifeline settings unset sms.default_country
                    """)
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The setting's key (`lifeline settings list`).") var key: String

            func run() throws {
                let removed = try SettingsService(global.environment).unset(key)
                Diagnostics.note(removed ? "\(key) is back to its default." : "\(key) had no value set; nothing changed.")
            }
        }
    }
}
