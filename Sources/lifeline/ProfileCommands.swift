import ArgumentParser
import LifelineService

extension TwoStep: ExpressibleByArgument {}

extension Lifeline {
    /// `lifeline profiles`: authentication profiles.
    struct Profiles: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "profiles",
            abstract: "Authentication profiles: how users may reset their password, and 2-step login.",
            discussion: """
                A user gets the profile of their highest-priority group that has one, else 'default'.

                Example:
                  lifeline profiles create Two-step --reset email_or_sms --two-step sms
                  lifeline profiles assign Two-step --group IT --priority 10
                """,
            subcommands: [List.self, Show.self, Create.self, Update.self, Assign.self])
    }
}

extension Lifeline.Profiles {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Every profile and its groups.",
            discussion: """
                Example:
                  lifeline profiles list
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let profiles = try ProfileService(global.environment).list()
            ResultWriter(format: output.format).print(
                .list(
                    columns: ["name", "reset", "two_step", "groups"],
                    rows: profiles.map {
                        [
                            .text($0.name), .text($0.resetOptions.rawValue), .text($0.twoStep.rawValue),
                            .text($0.assignments.map { "\($0.groupName) (\($0.priority))" }.joined(separator: "; ")),
                        ]
                    }))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "One profile.",
            discussion: """
                Example:
                  lifeline profiles show default
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The profile's name.") var name: String

        func run() throws {
            let profile = try ProfileService(global.environment).show(name: name)
            ResultWriter(format: output.format).print(
                .record([
                    ("name", .text(profile.name)), ("reset", .text(profile.resetOptions.rawValue)),
                    ("two_step", .text(profile.twoStep.rawValue)),
                    ("groups", .text(profile.assignments.map { "\($0.groupName) (priority \($0.priority))" }.joined(separator: "; "))),
                ]))
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a profile.",
            discussion: """
                Example:
                  lifeline profiles create Two-step --reset email_or_sms --two-step sms
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The profile's name.") var name: String
        @Option(help: "How its users may reset their password.") var reset: ResetOptions
        @Option(help: "2-step login.") var twoStep: TwoStep = .off

        func run() throws {
            try ProfileService(global.environment).create(name: name, resetOptions: reset, twoStep: twoStep)
            print("profile '\(name)' created")
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "update", abstract: "Change a profile.",
            discussion: """
                Example:
                  lifeline profiles update default --two-step sms
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The profile's name.") var name: String
        @Option(help: "How its users may reset their password.") var reset: ResetOptions?
        @Option(help: "2-step login.") var twoStep: TwoStep?

        func validate() throws {
            guard reset != nil || twoStep != nil else { throw ValidationError("give --reset, --two-step or both") }
        }

        func run() throws {
            try ProfileService(global.environment).update(name: name, resetOptions: reset, twoStep: twoStep)
            print("profile '\(name)' updated")
        }
    }

    struct Assign: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "assign", abstract: "Give a group's members this profile; the highest priority wins.",
            discussion: """
                Example:
                  lifeline profiles assign Two-step --group IT --priority 10
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The profile's name.") var name: String
        @Option(help: "The group.") var group: String
        @Option(help: "A number unique among assignments; higher wins.") var priority: Int

        func run() throws {
            try ProfileService(global.environment).assign(name: name, group: group, priority: priority)
            print("profile '\(name)' assigned to '\(group)' with priority \(priority)")
        }
    }
}
