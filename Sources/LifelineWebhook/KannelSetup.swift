import LifelineService

/// Kannel's side of an installation: the `sendsms-user` group the Kannel gateway sends as, and
/// the `sms-service` group whose `get-url` brings replies to `/v1/webhooks/kannel/sms` with
/// the installation's token. `lifeline kannel config` prints it; the end-to-end test runs
/// Kannel on it.
public enum KannelSetup {
    /// The two groups, for `kannel.conf`.
    public static func groups(publicURL: String, username: String, password: String, tokens: KannelTokens) -> String {
        let base = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        // Kannel fills in %p (the sender), %a (the text) and %I (its id for the message).
        let getURL = "\(base)/v1/webhooks/kannel/sms?token=\(tokens.replies)&from=%p&text=%a&id=%I"
        return """
            # Lifeline sends as this user (LIFELINE_KANNEL_USERNAME and LIFELINE_KANNEL_PASSWORD).
            group = sendsms-user
            username = \(quoted(username))
            password = \(quoted(password))
            max-messages = 10
            concatenation = true

            # Replies (STOP, YES, HELP) go to Lifeline, which answers through its outbox:
            # max-messages = 0 keeps Kannel from sending the HTTP answer as an SMS.
            group = sms-service
            keyword = default
            catch-all = true
            max-messages = 0
            get-url = \(quoted(getURL))

            """
    }

    /// A value in Kannel's configuration syntax: quoted, with `\` and `"` escaped.
    static func quoted(_ value: String) -> String {
        var text = "\""
        for character in value {
            if character == "\\" || character == "\"" { text.append("\\") }
            text.append(character)
        }
        return text + "\""
    }
}
