import FoundationEssentials

/// The columns of an import file, read from its header row.
struct ImportHeader {
    let names: [String]
    let emailIndex: Int
    let nameIndex: Int?
    let groupsIndex: Int?
    /// Every other column: an attribute of the column's name.
    let attributeColumns: [(index: Int, name: String)]

    /// Reads the header; names are trimmed and matched case-insensitively.
    init(record: CSVRecord, path: String) throws {
        var names: [String] = []
        var firstColumn: [String: Int] = [:]
        for index in 0..<record.fieldCount {
            guard let text = record.text(at: index) else {
                throw ImportFailure.notUTF8CSV(path: path, looksLike: "text in another encoding than UTF-8, such as Windows-1252 (in its header row)")
            }
            let name = text.trimmingBlanks()
            guard !name.isEmpty else { throw ImportFailure.emptyColumnName(path: path, column: index + 1) }
            let key = name.lowercased()
            if let earlier = firstColumn[key] {
                throw ImportFailure.duplicateColumn(path: path, name: name, columns: [earlier + 1, index + 1])
            }
            firstColumn[key] = index
            names.append(name)
        }
        guard let emailIndex = firstColumn["email"] else {
            throw ImportFailure.missingEmailColumn(path: path, columns: names)
        }
        self.names = names
        self.emailIndex = emailIndex
        self.nameIndex = firstColumn["name"]
        self.groupsIndex = firstColumn["groups"]
        let special: Set<Int> = [emailIndex, firstColumn["name"], firstColumn["groups"]].compactMap { $0 }.reduce(into: []) {
            $0.insert($1)
        }
        self.attributeColumns = names.indices.filter { !special.contains($0) }.map { ($0, names[$0]) }
    }
}

