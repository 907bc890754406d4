// Writes a Swift file that embeds the given files, byte for byte, as string literals:
//   FileEmbedder OUTPUT.swift TYPE_NAME [--migrations] FILE...
// produces `extension TYPE_NAME { static let embeddedFiles: [(name: String, text: String)] }`.
// With --migrations it fails the build on a file not named NNNN_name.sql or a repeated version,
// and adds each file's SHA-256 (`sha256:`), so the binary does not hash its migrations at every start.
// It always fails on text that is not UTF-8.
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

/// Checks `fileName` is `NNNN_name.sql` with a version not seen before.
func checkMigrationName(_ fileName: String, path: String, seen: inout [Int: String]) {
    let parts = fileName.dropLast(".sql".count).split(separator: "_", maxSplits: 1)
    guard fileName.hasSuffix(".sql"), parts.count == 2, parts[0].count == 4, let version = Int(parts[0]), version > 0,
        parts[1].allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") })
    else {
        fail("\(path): a migration file is named NNNN_name.sql (4 digits, then lowercase letters, digits, _)")
    }
    if let earlier = seen[version] { fail("\(path): version \(version) is already used by \(earlier)") }
    seen[version] = fileName
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2 else { fail("usage: FileEmbedder OUTPUT.swift TYPE_NAME [--migrations] FILE...") }
let outputPath = arguments.removeFirst()
let typeName = arguments.removeFirst()
let isMigrations = arguments.first == "--migrations"
if isMigrations { arguments.removeFirst() }

var seenVersions: [Int: String] = [:]
var entries: [String] = []
for path in arguments {
    let fileName = URL(fileURLWithPath: path).lastPathComponent
    if isMigrations { checkMigrationName(fileName, path: path, seen: &seenVersions) }
    guard let bytes = FileManager.default.contents(atPath: path) else { fail("\(path): cannot read") }
    guard let text = String(data: bytes, encoding: .utf8) else { fail("\(path): not valid UTF-8") }
    let checksum = isMigrations ? ", \(literal(sha256Hex(Array(bytes))))" : ""
    entries.append("        (\(literal(fileName)), \(literal(text))\(checksum)),")
}

let fields = isMigrations ? "name: String, text: String, sha256: String" : "name: String, text: String"
let fieldsDoc = isMigrations ? "file name, text and the SHA-256 of its bytes" : "file name and text"
let source = """
    // Generated at build time by FileEmbedder. Do not edit.

    extension \(typeName) {
        /// The files embedded at build time: \(fieldsDoc).
        static let embeddedFiles: [(\(fields))] = [
    \(entries.joined(separator: "\n"))
        ]
    }

    """
do {
    try Data(source.utf8).write(to: URL(fileURLWithPath: outputPath), options: .atomic)
} catch {
    fail("\(outputPath): \(error)")
}
