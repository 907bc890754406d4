import ArgumentParser
import LifelineService

extension Lifeline {
    /// `lifeline policy`: the account-wide password policy.
    struct Policy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "policy", abstract: "The password policy: length, character classes, common passwords.",
            discussion: """
                Examples:
                  lifeline policy show
                  lifeline policy set --min-length 12
                """,
            subcommands: [Show.self, Set.self])
    }
}

extension Lifeline.Policy {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "The policy now in force.",
            discussion: """
                Example:
                  lifeline policy show
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let service = SettingsService(global.environment)
            let policy = try service.passwordPolicy()
            ResultWriter(format: output.format).print(
                .record([
                    ("min_length", Cell(policy.minimumLength)), ("max_length", Cell(PasswordPolicy.maximumLength)),
                    ("character_classes", Cell(policy.characterClasses)), ("refuses_email_name", .bool(true)),
                    ("common_passwords_refused", Cell(service.commonPasswordCount)),
                ]))
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Change the policy's limits.",
            discussion: """
                Example:
                  lifeline policy set --min-length 12 --character-classes 3
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "The fewest characters a password may have (8–64).") var minLength: Int?
        @Option(help: "How many of lower case, upper case, digits and symbols it must mix (1–4).") var characterClasses: Int?

        func validate() throws {
            guard minLength != nil || characterClasses != nil else {
                throw ValidationError("give --min-length, --character-classes or both")
            }
        }

        func run() throws {
            let service = SettingsService(global.environment)
            try service.setPasswordPolicy(minimumLength: minLength, characterClasses: characterClasses)
            let policy = try service.passwordPolicy()
            print("passwords now need at least \(policy.minimumLength) characters and \(policy.characterClasses) character classes")
        }
    }
}
