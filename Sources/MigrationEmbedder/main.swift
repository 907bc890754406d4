// Writes a Swift file that embeds the given migration files, byte for byte, as string literals.
// Usage: MigrationEmbedder OUTPUT.swift NNNN_name.sql...
// It fails the build on a badly named file, a repeated version, or text that is not UTF-8.
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(1)
}

/// A Swift string literal whose value is exactly `text`.
func literal(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": result += "\\\\"
        case "\"": result += "\\\""
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F:
            result += "\\u{\(String(scalar.value, radix: 16))}"
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}

let arguments = CommandLine.arguments.dropFirst()
guard let outputPath = arguments.first else { fail("usage: MigrationEmbedder OUTPUT.swift FILE.sql...") }
var seenVersions: [Int: String] = [:]
var entries: [String] = []
for path in arguments.dropFirst() {
    let fileName = URL(fileURLWithPath: path).lastPathComponent
    let stem = fileName.dropLast(".sql".count)
    let parts = stem.split(separator: "_", maxSplits: 1)
    guard fileName.hasSuffix(".sql"), parts.count == 2, parts[0].count == 4,
        let version = Int(parts[0]), version > 0,
        parts[1].allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") })
    else {
        fail("\(path): a migration file is named NNNN_name.sql (4 digits, then lowercase letters, digits, _)")
    }
    if let earlier = seenVersions[version] {
        fail("\(path): version \(version) is already used by \(earlier)")
    }
    seenVersions[version] = fileName
    guard let bytes = FileManager.default.contents(atPath: path) else { fail("\(path): cannot read") }
    guard let text = String(data: bytes, encoding: .utf8) else { fail("\(path): not valid UTF-8") }
    entries.append("        (\(version), \(literal(String(parts[1]))), \(literal(fileName)), \(literal(text))),")
}

let source = """
    // Generated at build time by MigrationEmbedder from Migrations/*.sql. Do not edit.

    extension LifelineSchema {
        /// The migration files embedded at build time: version, name, file name, SQL.
        static let embeddedFiles: [(version: Int, name: String, fileName: String, sql: String)] = [
    \(entries.joined(separator: "\n"))
        ]
    }

    """
do {
    try Data(source.utf8).write(to: URL(fileURLWithPath: outputPath), options: .atomic)
} catch {
    fail("\(outputPath): \(error)")
}
