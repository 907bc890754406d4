import FoundationEssentials

/// The columns of an import file, read from its header row.
struct ImportHeader {
    let names: [String]
    let emailIndex: Int
    let nameIndex: Int?
    let groupsIndex: Int?
    /// Every other column: an attribute of the column's name.
    let attributeColumns: [(index: Int, name: String)]

    /// What a column is for, besides an attribute.
    enum Role: String, Sendable {
        case email, name, groups
    }

    /// The header names directories export for each role (Active Directory, Entra ID, HR
    /// systems, spreadsheets), compared by ``key(_:)``.
    static let aliases: [Role: [String]] = [
        .email: ["email", "e-mail", "mail", "email address", "userPrincipalName", "primary email"],
        .name: ["name", "display name", "displayName", "full name", "cn"],
        .groups: ["groups", "group", "memberOf"],
    ]

    private static let roleByKey: [String: Role] = aliases.reduce(into: [:]) { table, entry in
        for alias in entry.value { table[key(alias)] = entry.key }
    }

    /// A header name as matched: case, spaces, underscores and hyphens ignored.
    static func key(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { $0 != " " && $0 != "_" && $0 != "-" })
    }

    /// What `--map HEADER=-` makes a column: read past, as if it were not in the file.
    static let ignored = "-"

    /// Reads the header; names are trimmed and matched case-insensitively. `map` (`--map`)
    /// names what a column is: `email`, `name` or `groups` (or an alias of one), `-` (ignored),
    /// else the attribute it fills. The left-most column of a role takes it; later ones are
    /// attributes.
    init(record: CSVRecord, path: String, map: [String: String] = [:]) throws {
        let mapped = Dictionary(map.map { (Self.key($0.key), $0.value.trimmingBlanks()) }, uniquingKeysWith: { first, _ in first })
        var names: [String] = []
        var firstColumn: [String: Int] = [:]
        for index in 0..<record.fieldCount {
            guard let text = record.text(at: index) else {
                throw ImportFailure.notUTF8CSV(path: path, looksLike: "text in another encoding than UTF-8, such as Windows-1252 (in its header row)")
            }
            let name = text.trimmingBlanks()
            guard !name.isEmpty else { throw ImportFailure.emptyColumnName(path: path, column: index + 1) }
            let key = NameKey.of(name)
            if let earlier = firstColumn[key] {
                throw ImportFailure.duplicateColumn(path: path, name: name, columns: [earlier + 1, index + 1])
            }
            firstColumn[key] = index
            names.append(name)
        }
        var roles: [Role: Int] = [:]
        var attributes: [(index: Int, name: String)] = []
        var attributeColumn: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            let target = mapped[Self.key(name)] ?? name
            if target == Self.ignored { continue }
            if let role = Self.roleByKey[Self.key(target)], roles[role] == nil {
                roles[role] = index
            } else {
                // Two columns filling one attribute (`mobile`, and another mapped to it): one
                // would silently overwrite the other.
                if let earlier = attributeColumn[NameKey.of(target)] {
                    throw ImportFailure.duplicateColumn(path: path, name: target, columns: [earlier + 1, index + 1])
                }
                attributeColumn[NameKey.of(target)] = index
                attributes.append((index, target))
            }
        }
        guard let emailIndex = roles[.email] else {
            throw ImportFailure.missingEmailColumn(path: path, columns: names)
        }
        self.names = names
        self.emailIndex = emailIndex
        self.nameIndex = roles[.name]
        self.groupsIndex = roles[.groups]
        self.attributeColumns = attributes
    }
}

