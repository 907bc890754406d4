import LifelineStore

/// The release of this build.
public enum LifelineVersion {
    /// The semantic version of the tool.
    public static let number = "0.1.0"
    /// What `lifeline --version` prints: the release and the schema version it migrates to.
    public static var description: String {
        "\(number) (schema \(LifelineSchema.migrations.last?.version ?? 0))"
    }
}
