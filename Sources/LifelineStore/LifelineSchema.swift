/// Lifeline's schema: the migrations embedded in the binary from `Migrations/` at build time.
public enum LifelineSchema {
    /// Every migration the binary carries, in version order.
    public static let migrations: [SQLiteMigration] = embeddedFiles.map {
        SQLiteMigration(version: $0.version, name: $0.name, fileName: $0.fileName, sql: $0.sql)
    }

    /// A migrator over the embedded migrations.
    public static func makeMigrator() throws(SQLiteMigrationError) -> SQLiteMigrator {
        try SQLiteMigrator(migrations: migrations)
    }
}
