/// Lifeline's schema: the migrations embedded in the binary from `Migrations/` at build time.
public enum LifelineSchema {
    /// Every migration the binary carries, in version order (the build checked their names).
    public static let migrations: [SchemaMigration] = embeddedFiles.map { file in
        SchemaMigration(embeddedFileNamed: file.name, text: file.text, sha256: file.sha256)
    }

    /// The oldest SQLite the schema and its queries run on: STRICT tables came in 3.37.0
    /// (RETURNING in 3.35.0, VACUUM INTO in 3.27.0).
    public static let requiredLibrary = (
        version: SQLiteLibraryVersion(3, 37, 0), features: "STRICT tables, RETURNING, VACUUM INTO"
    )

    /// A migrator over the embedded migrations, refusing an SQLite library older than the schema needs.
    public static func makeMigrator(linkedLibrary: SQLiteLibraryVersion = .linked) throws(MigrationError)
        -> SchemaMigrator
    {
        try SchemaMigrator(migrations: migrations, requiredLibrary: requiredLibrary, linkedLibrary: linkedLibrary)
    }
}
