import ArgumentParser
import LifelineService

extension UserStatus: ExpressibleByArgument {}

extension Lifeline {
    /// `lifeline users`: the people in the directory.
    struct Users: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "users",
            abstract: "Show and list users.",
            discussion: """
                Examples:
                  lifeline users list --group On-call
                  lifeline users show ann.lee@example.com
                """, subcommands: [Show.self, List.self])
    }

    /// `lifeline attributes`: the attribute definitions.
    struct Attributes: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "attributes",
            abstract: "List user attributes.",
            discussion: """
                Example:
                  lifeline attributes list
                """, subcommands: [List.self])

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", abstract: "List attributes: name, source, how many users have a value.",
                discussion: """
                    Example:
                      lifeline attributes list --format csv
                    """)
            @OptionGroup var global: GlobalOptions
            @OptionGroup var output: OutputOptions

            func run() throws {
                let attributes = try DirectoryQueries(global.environment).attributes()
                ResultWriter(format: output.format).print(
                    .list(
                        columns: ["name", "source", "users_with_value", "description"],
                        rows: attributes.map {
                            [.text($0.name), .text($0.source.rawValue), Cell($0.valueCount), .text($0.description)]
                        }))
            }
        }
    }

    /// `lifeline groups`: the groups.
    struct Groups: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "groups", abstract: "List groups.",
            discussion: """
                Example:
                  lifeline groups list
                """, subcommands: [List.self])

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", abstract: "List groups with their member counts.",
                discussion: """
                    Example:
                      lifeline groups list --format json
                    """)
            @OptionGroup var global: GlobalOptions
            @OptionGroup var output: OutputOptions

            func run() throws {
                let groups = try DirectoryQueries(global.environment).groups()
                ResultWriter(format: output.format).print(
                    .list(columns: ["name", "members"], rows: groups.map { [.text($0.name), Cell($0.memberCount)] }))
            }
        }
    }
}

extension Lifeline.Users {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one user: status, attributes, groups, SMS number and its verdict.",
            discussion: """
                Example:
                  lifeline users show ann.lee@example.com
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The user's primary email (any case).") var email: String

        func run() throws {
            let detail = try DirectoryQueries(global.environment).user(email: email)
            let profile = try ProfileService(global.environment).effectiveProfile(email: email)
            var fields: [(field: String, value: Cell)] = [
                ("email", .text(detail.user.email)), ("name", Cell(detail.user.displayName)),
                ("status", .text(detail.user.status.rawValue)), ("groups", .text(detail.groups.joined(separator: "; "))),
                ("sms_attribute", Cell(detail.smsAttribute)),
                ("sms_number", Cell(detail.smsNumber)),
                ("sms_verdict", Cell(detail.smsVerdict.map(NumberCells.verdictText))),
                ("auth_profile", .text(profile.name)),
                ("created_at", .date(detail.user.createdAt)), ("updated_at", .date(detail.user.updatedAt)),
            ]
            for attribute in detail.attributes {
                fields.append(("attribute." + attribute.name, .text(attribute.value)))
            }
            ResultWriter(format: output.format).print(.record(fields))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List users by email.",
            discussion: """
                Example:
                  lifeline users list --group On-call --format csv > on-call.csv
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only members of this group.") var group: String?
        @Option(help: "Only users with this status.") var status: UserStatus?

        func run() throws {
            let stream = ListStream.standardOutput(
                format: output.format, columns: ["email", "name", "status", "updated_at"])
            try DirectoryQueries(global.environment).forEachUser(group: group, status: status) { user in
                stream.write([.text(user.email), Cell(user.displayName), .text(user.status.rawValue), .date(user.updatedAt)])
            }
            stream.finish()
        }
    }
}
