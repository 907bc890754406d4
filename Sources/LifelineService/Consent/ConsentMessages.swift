/// The fixed texts of the consent program's service messages. There is no way to queue free
/// text: every body comes from here.
struct ConsentMessages {
    let programName: String
    let supportContact: String

    private var terms: String {
        "Alerts are sent only during email outages. Msg & data rates may apply. Reply HELP for help, STOP to cancel."
    }

    /// Asks the user to confirm a request to opt in (double opt-in).
    var confirmationRequest: String { "\(programName): reply YES to confirm SMS alerts. \(terms)" }
    /// Confirms an opt-in, repeating the terms.
    var optedIn: String { "\(programName): you are subscribed to SMS alerts. \(terms)" }
    /// Confirms an opt-out, once.
    var optedOut: String {
        "\(programName): You will receive no more continuity alerts. Reply START to resubscribe."
    }
    /// Answers HELP.
    var help: String {
        "\(programName): SMS alerts during email outages. Support: \(supportContact). Reply STOP to cancel, START to resubscribe."
    }
}

/// The kinds of message the consent program queues.
enum ConsentMessageKind: String {
    case confirmationRequest = "optin_confirmation_request"
    case optedIn = "optin_reply"
    case optedOut = "optout_reply"
    case help = "help_reply"
}
