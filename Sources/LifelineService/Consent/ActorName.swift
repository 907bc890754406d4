/// Who did something, by the name the consent ledger (and the console roles' `granted_by`)
/// records. Each edge names its actor through this one type, so the CLI, the API, the pages and
/// the SMS keywords never spell the same kind of actor two ways.
public enum ActorName: Sendable, Equatable {
    /// Someone at the command line: `--actor` as given, else the login name (`cli:ann`).
    case commandLine(given: String?, login: String?)
    /// A client of the API, by its key's name (`api:portal-backend`).
    case apiKey(name: String?)
    /// A console account, by email (`console:ann@example.com`).
    case console(email: String)
    /// The personal portal, acting for its signed-in user.
    case portal
    /// A keyword texted from a number (`sms:447700900461`).
    case sms(number: String)
    /// The server's own schedule (an event's planned start or end).
    case schedule

    /// The text recorded.
    public var recorded: String {
        switch self {
        case .commandLine(let given?, _): given
        case .commandLine(nil, let login?): "cli:\(login)"
        case .commandLine(nil, nil): "cli"
        case .apiKey(let name): "api:\(name ?? "unknown")"
        case .console(let email): "console:\(email)"
        case .portal: "portal"
        case .sms(let number): "sms:\(number)"
        case .schedule: "schedule"
        }
    }
}
