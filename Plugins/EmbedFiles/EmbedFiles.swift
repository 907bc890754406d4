import Foundation
import PackagePlugin

/// Generates Swift source holding files the binary needs at run time, so `lifeline` works when
/// copied alone to another folder: `Migrations/*.sql` for LifelineStore, `Data/*.tsv` for
/// LifelineService, and the OpenAPI document `docs/openapi.json` for LifelineServer.
@main
struct EmbedFiles: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let (folder, fileExtension, typeName, extraArguments): (String, String, String, [String])
        switch target.name {
        case "LifelineStore": (folder, fileExtension, typeName, extraArguments) = ("Migrations", "sql", "LifelineSchema", ["--migrations"])
        case "LifelineService": (folder, fileExtension, typeName, extraArguments) = ("Data", "tsv", "ReferenceData", [])
        case "LifelineServer": (folder, fileExtension, typeName, extraArguments) = ("docs", "json", "APIDocument", [])
        default: return []
        }
        let files = try FileManager.default
            .contentsOfDirectory(at: context.package.directoryURL.appending(path: folder), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == fileExtension }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "Embedded\(typeName).swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) files from \(folder)/ into \(typeName)",
                executable: try context.tool(named: "FileEmbedder").url,
                arguments: [output.path, typeName] + extraArguments + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}
