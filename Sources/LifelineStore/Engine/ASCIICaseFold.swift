/// A–Z folded to a–z and nothing else: how the database compares emails and names "ignoring
/// case" on both engines (SQLite's `COLLATE NOCASE`; on PostgreSQL ``SQLDialect/caseless(_:)``
/// and the unique indexes on it). Whatever compares such names in memory, the store's import
/// staging and the service's `NameKey`, folds with this, so memory and database never disagree.
public enum ASCIICaseFold {
    public static func folded(_ text: String) -> String {
        guard text.utf8.contains(where: isUpper) else { return text }
        return String(decoding: text.utf8.map { isUpper($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }

    private static func isUpper(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
    }
}
