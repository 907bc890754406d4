/// What an inbound SMS asks for, when the whole message is one keyword.
public enum ConsentKeyword: Sendable, Equatable {
    case optOut
    case optIn
    case help

    static let optOutWords: Set<String> = [
        "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "OPT-OUT", "REMOVE", "ARRET", "TD",
    ]
    static let optInWords: Set<String> = ["START", "YES", "UNSTOP", "RESUME"]
    static let helpWords: Set<String> = ["HELP", "INFO"]

    /// The keyword `text` is, ignoring case, surrounding spaces and trailing punctuation; nil
    /// when the message is anything else ("STOP IT", "stopp", "YES PLEASE").
    public init?(message text: String) {
        var word = Substring(text)
        let trailing: Set<Character> = [".", "!", "?", ",", ";", ":"]
        while let last = word.last, last.isWhitespace || trailing.contains(last) { word = word.dropLast() }
        while let first = word.first, first.isWhitespace { word = word.dropFirst() }
        let key = word.uppercased()
        if Self.optOutWords.contains(key) {
            self = .optOut
        } else if Self.optInWords.contains(key) {
            self = .optIn
        } else if Self.helpWords.contains(key) {
            self = .help
        } else {
            return nil
        }
    }
}
