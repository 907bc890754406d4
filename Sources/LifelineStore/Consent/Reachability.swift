/// Who may be texted a program's messages now: an active user, opted in to the program for
/// the number the number rule judged theirs (`users.sms_number`, set exactly when the number
/// is deliverable). The one definition, written as the SQL conditions over a user row and the
/// consent row joined to it; the event fan-out and its preview, the check at send time and the
/// consent queries all build their SQL from it, so none can drift from the others.
enum Reachability {
    /// The join of a consent row to a user's consent for `program` at their current number:
    /// consent given for an earlier number does not count.
    static func currentConsent(user: String, consent: String, program: String) -> String {
        "\(consent).user_id = \(user).id AND \(consent).program = \(program) AND \(consent).number = \(user).sms_number"
    }

    /// Whether the user may be texted, given the consent row joined by ``currentConsent``.
    static func mayBeTexted(user: String, consent: String) -> String {
        "(\(user).status = 'active' AND \(user).sms_number IS NOT NULL AND \(consent).state = 'opted_in')"
    }
}
