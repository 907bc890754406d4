/// Reference data shipped in `Data/` and embedded in the binary at build time.
enum ReferenceData {
    /// The text of the embedded file `name`, or nil when the build did not embed it.
    static func text(of name: String) -> String? {
        embeddedFiles.first { $0.name == name }?.text
    }
}
