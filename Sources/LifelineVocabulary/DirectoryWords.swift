/// A user's status in the directory.
public enum UserStatus: String, Sendable, CaseIterable {
    case active
    case disabled
}

/// Where an attribute definition came from.
public enum AttributeSource: String, Sendable, CaseIterable {
    case manual
    case `import`
    case directorySync = "directory-sync"
}

/// What changed the directory, in the record of changes.
public enum DirectorySource: String, Sendable, CaseIterable {
    /// An identity provider's SCIM 2.0 request.
    case scim
    /// A sync from an LDAP directory.
    case ldap
    /// A file import.
    case `import`
}

/// What a user's SMS value is worth, as the service's number rule judged it.
public enum SMSNumberStatus: String, Sendable, CaseIterable {
    /// A number messages are sent to: in long format, or deliverable (its country named, or
    /// national in the default country; the note then says it is not in long format).
    case valid
    /// No value.
    case missing
    /// Not a number that can receive an SMS.
    case invalid
    /// Probably a number, written without naming its country (long format with separators or a
    /// trunk 0): usable once `sms verify-numbers --fix` rewrites it.
    case fixable
}
