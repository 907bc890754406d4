/// Lifeline's schema: the migrations embedded in the binary from `Migrations/` at build time.
public enum LifelineSchema {
    /// Every migration the binary carries, in version order (the build checked their names).
    public static let migrations: [SQLiteMigration] = embeddedFiles.map { file in
        let parts = file.name.dropLast(".sql".count).split(separator: "_", maxSplits: 1)
        return SQLiteMigration(
            version: Int(parts[0]) ?? 0, name: String(parts[1]), fileName: file.name, sql: file.text, checksum: file.sha256)
    }

    /// A migrator over the embedded migrations.
    public static func makeMigrator() throws(SQLiteMigrationError) -> SQLiteMigrator {
        try SQLiteMigrator(migrations: migrations)
    }
}
