import LifelineStore

/// The one rule for "the same email or name, whatever its case": blanks around it trimmed, and
/// ASCII letters fold, nothing else (``ASCIICaseFold``), exactly as the database's unique
/// emails and names compare on either engine (users' emails, the names of groups, attributes,
/// profiles and API keys).
///
/// Swift's `lowercased()` folds every script, so `ZOË@example.com` and `zoë@example.com` would
/// be one key in memory (a rate limit, a repeated request's check) while the database holds
/// two users. Everything that compares such names in Swift uses this key instead, so the two
/// never disagree.
public enum NameKey {
    /// `text` with blanks around it trimmed and A–Z folded to a–z.
    public static func of(_ text: String) -> String {
        ASCIICaseFold.folded(text.trimmingBlanks())
    }

    /// Whether two names are the same one, as the database compares them.
    public static func same(_ left: String, _ right: String) -> Bool {
        of(left) == of(right)
    }
}
