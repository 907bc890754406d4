import ArgumentParser
import FoundationEssentials
import LifelineService

extension EventKind: ExpressibleByArgument {}
extension EventState: ExpressibleByArgument {}

extension Lifeline {
    /// `lifeline events`: continuity events and their start and end alerts.
    struct Events: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "events",
            abstract: "Continuity events: an alert to a group when an outage starts, another when it ends.",
            discussion: """
                Examples:
                  lifeline events list --state active
                  lifeline events preview 1
                """,
            subcommands: [Create.self, Preview.self, Start.self, End.self, Cancel.self, List.self, Show.self])
    }
}

/// The `ID` argument of the event commands.
struct EventIDArgument: ParsableArguments {
    @Argument(help: "The event's id (from `events create` or `events list`).") var id: Int64
}

extension Lifeline.Events {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Create a draft event; prints its id. Nothing is sent until `events start`.",
            discussion: """
                Messages may use {event} (the event's name) and {name} (the recipient's display name). \
                With --template, the template gives the group, the kind and the messages (any of them \
                may still be given), and the name is the template's with the time.

                Examples:
                  lifeline events create --name "Mail outage" --group Staff \\
                      --start-message "Email is down. Use Teams for now." \\
                      --end-message "Email is back, {name}."
                  lifeline events create --template "Mail down"
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "A template (`lifeline templates list`) to draft the event from.") var template: String?
        @Option(help: "The event's name (1–100 characters).") var name: String?
        @Option(help: "The group to alert.") var group: String?
        @Option(help: "planned or unplanned (default: unplanned, or the template's).") var kind: EventKind?
        @Option(help: "The alert sent when the event starts.") var startMessage: String?
        @Option(help: "The alert sent when the event ends.") var endMessage: String?
        @Option(help: "When to start it (ISO 8601, e.g. 2026-12-01T08:00:00Z): `lifeline serve` sends the start alert then.")
        var startsAt: String?
        @Option(help: "When to end it (ISO 8601): `lifeline serve` sends the end alert then.") var endsAt: String?
        @Option(help: "Notes for operators, up to 500 characters (not sent).") var notes: String?
        @OptionGroup var actor: ActorOption

        func validate() throws {
            guard template == nil else { return }
            let missing = [("--name", name), ("--group", group), ("--start-message", startMessage), ("--end-message", endMessage)]
                .filter { $0.1 == nil }.map(\.0)
            if !missing.isEmpty { throw ValidationError("give \(missing.joined(separator: ", ")), or --template NAME") }
        }

        func run() throws {
            var draft = try template.map { try EventTemplates(global.environment).eventDraft(from: $0) }
                ?? EventDraft(name: "", group: "", startMessage: "", endMessage: "")
            if let name { draft.name = name }
            if let group { draft.group = group }
            if let kind { draft.kind = kind }
            if let startMessage { draft.startMessage = startMessage }
            if let endMessage { draft.endMessage = endMessage }
            draft.startsAt = try startsAt.map { try EventDraft.time($0, option: "--starts-at") }
            draft.endsAt = try endsAt.map { try EventDraft.time($0, option: "--ends-at") }
            draft.notes = notes
            print(try EventService(global.environment).create(draft, by: actor.name))
        }
    }

    struct Preview: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "preview", abstract: "Who the alerts would reach now, who is skipped and why, and their SMS cost.",
            discussion: """
                Example:
                  lifeline events preview 1
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var event: EventIDArgument

        func run() throws {
            let preview = try EventService(global.environment).preview(id: event.id)
            var fields: [(field: String, value: Cell)] = [("recipients", Cell(preview.recipients))]
            for reason in EventPreview.skipReasons { fields.append(("skipped_\(reason)", Cell(preview.skipped[reason] ?? 0))) }
            for (label, length) in [("start", preview.startMessage), ("end", preview.endMessage)] {
                fields += [
                    ("\(label)_encoding", .text(length.encoding.rawValue)), ("\(label)_units", Cell(length.units)),
                    ("\(label)_segments", Cell(length.segments)),
                ]
                if length.needsWarning {
                    Diagnostics.note(
                        "warning: the \(label) message takes \(length.segments) SMS parts (more than "
                            + "\(SMSLength.warningSegments)); each recipient is charged for every part")
                }
            }
            fields.append(("measured_with_name", Cell(preview.measuredWithName)))
            ResultWriter(format: output.format).print(.record(fields))
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "start", abstract: "Queue the start alert to the group's opted-in members and make the event active.",
            discussion: """
                Example:
                  lifeline events start 1
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var event: EventIDArgument
        @OptionGroup var actor: ActorOption

        func run() throws {
            report(try EventService(global.environment).start(id: event.id, by: actor.name), verb: "started")
        }
    }

    struct End: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "end", abstract: "Queue the end alert to those opted in now and end the event.",
            discussion: """
                Example:
                  lifeline events end 1
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var event: EventIDArgument
        @OptionGroup var actor: ActorOption

        func run() throws {
            report(try EventService(global.environment).end(id: event.id, by: actor.name), verb: "ended")
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel", abstract: "Cancel a draft event; nothing is sent.",
            discussion: """
                Example:
                  lifeline events cancel 1
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var event: EventIDArgument
        @OptionGroup var actor: ActorOption

        func run() throws {
            report(try EventService(global.environment).cancel(id: event.id, by: actor.name), verb: "cancelled")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Events, newest first.",
            discussion: """
                Example:
                  lifeline events list --state active --format csv
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only events in this state.") var state: EventState?

        func run() throws {
            let events = try EventService(global.environment).list(state: state)
            ResultWriter(format: output.format).print(
                .list(
                    columns: ["id", "name", "group", "kind", "state", "created_at", "started_at", "ended_at"],
                    rows: events.map {
                        [
                            .integer($0.id), .text($0.name), .text($0.record.groupName), .text($0.record.kind.rawValue),
                            .text($0.state.rawValue), .date($0.record.createdAt), $0.record.startedAt.map(Cell.date) ?? .null,
                            $0.record.endedAt.map(Cell.date) ?? .null,
                        ]
                    }))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "One event, with its alerts counted by status.",
            discussion: """
                Example:
                  lifeline events show 1
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var event: EventIDArgument

        func run() throws {
            let (shown, deliveries) = try EventService(global.environment).show(id: event.id)
            let record = shown.record
            var fields: [(field: String, value: Cell)] = [
                ("id", .integer(record.id)), ("name", .text(record.name)), ("group", .text(record.groupName)),
                ("kind", .text(record.kind.rawValue)), ("state", .text(record.state.rawValue)), ("start_message", .text(record.startMessage)),
                ("end_message", .text(record.endMessage)), ("starts_at", record.startsAt.map(Cell.date) ?? .null),
                ("ends_at", record.endsAt.map(Cell.date) ?? .null), ("notes", Cell(record.notes)),
                ("created_at", .date(record.createdAt)), ("started_at", record.startedAt.map(Cell.date) ?? .null),
                ("ended_at", record.endedAt.map(Cell.date) ?? .null),
            ]
            for alert in ["start", "end"] {
                for status in OutboxStatus.allCases {
                    let count = deliveries.first { $0.alert == alert && $0.status == status }?.count ?? 0
                    fields.append(("\(alert)_\(status.rawValue)", Cell(count)))
                }
                let maybeSent = deliveries.filter { $0.alert == alert }.reduce(0) { $0 + $1.maybeSent }
                fields.append(("\(alert)_maybe_sent", Cell(maybeSent)))
            }
            ResultWriter(format: output.format).print(.record(fields))
        }
    }
}

/// The line `events start|end|cancel` prints.
private func report(_ outcome: EventTransitionOutcome, verb: String) {
    if outcome.alreadyDone {
        print("event \(outcome.eventID) was already \(outcome.state.rawValue): nothing more was queued")
    } else if verb == "cancelled" {
        print("event \(outcome.eventID) cancelled")
    } else {
        print("event \(outcome.eventID) \(verb): \(outcome.queued) alert(s) queued; `lifeline outbox dispatch` sends them")
    }
}
