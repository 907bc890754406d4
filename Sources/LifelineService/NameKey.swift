/// The one rule for "the same email or name, whatever its case": ASCII letters fold, nothing
/// else, exactly as the database's `COLLATE NOCASE` unique columns compare (users' emails, the
/// names of groups, attributes, profiles and API keys).
///
/// Swift's `lowercased()` folds every script, so `ZOË@example.com` and `zoë@example.com` would
/// be one key in memory (a rate limit, a repeated request's check) while the database holds
/// two users. Everything that compares such names in Swift uses this key instead, so the two
/// never disagree. A second engine must compare the same way (fold A–Z only).
public enum NameKey {
    /// `text` with blanks around it trimmed and A–Z folded to a–z.
    public static func of(_ text: String) -> String {
        let trimmed = text.trimmingBlanks()
        guard trimmed.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else { return trimmed }
        return String(decoding: trimmed.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }, as: UTF8.self)
    }

    /// Whether two names are the same one, as the database compares them.
    public static func same(_ left: String, _ right: String) -> Bool {
        of(left) == of(right)
    }
}
