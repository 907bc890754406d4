/// The providers' names, as `--gateway` takes them and the outbox's `provider` column, the
/// metrics and the console show them: one spelling everywhere.
public enum ProviderName {
    public static let file = "file"
    public static let webhook = "webhook"
    public static let twilio = "twilio"
    public static let kannel = "kannel"
}
