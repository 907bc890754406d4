/// A directory lookup or setting that cannot be done.
public enum DirectoryFailure: LifelineFailure, Equatable {
    case userNotFound(email: String)
    case groupNotFound(name: String, known: [String])
    case attributeNotFound(name: String, known: [String])
    case noSMSAttribute
    case unknownCountry(String)

    public var kind: FailureKind {
        switch self {
        case .userNotFound, .groupNotFound: .inputMissing
        case .attributeNotFound: .badInput
        case .noSMSAttribute: .configuration
        case .unknownCountry: .usage
        }
    }

    public var message: String {
        switch self {
        case .userNotFound(let email): "no user with the email \(email)"
        case .groupNotFound(let name, let known):
            "no group named '\(name)'" + Self.listing(known, "groups")
        case .attributeNotFound(let name, let known):
            "no attribute named '\(name)'" + Self.listing(known, "attributes")
        case .noSMSAttribute: "no SMS attribute has been chosen"
        case .unknownCountry(let name): "unknown country '\(name)'"
        }
    }

    public var remedy: String? {
        switch self {
        case .userNotFound: "check the spelling; `lifeline users list` lists users"
        case .groupNotFound: "`lifeline groups list` lists groups"
        case .attributeNotFound: "import a file with that column first, or pick one of those"
        case .noSMSAttribute: "choose one with `lifeline sms attribute set NAME` (`lifeline attributes list` shows them)"
        case .unknownCountry: "give an ISO country code such as GB or a calling code such as 44"
        }
    }

    private static func listing(_ names: [String], _ noun: String) -> String {
        if names.isEmpty { return "; there are no \(noun) yet" }
        let shown = names.prefix(20).joined(separator: ", ")
        return "; the \(noun) are: \(shown)" + (names.count > 20 ? ", … (\(names.count) in all)" : "")
    }
}
