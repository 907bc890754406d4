import LifelineStore

/// Lifeline's schema on PostgreSQL: the migrations embedded from `Migrations/postgres/`, the
/// same tables and rules as SQLite's `Migrations/`, numbered on their own.
public enum PostgresSchema {
    /// Every PostgreSQL migration the binary carries, in version order.
    public static let migrations: [SchemaMigration] = embeddedFiles.map { file in
        SchemaMigration(embeddedFileNamed: file.name, text: file.text, sha256: file.sha256)
    }

    /// A migrator over them.
    public static func makeMigrator() throws(MigrationError) -> SchemaMigrator {
        try SchemaMigrator(migrations: migrations)
    }
}
