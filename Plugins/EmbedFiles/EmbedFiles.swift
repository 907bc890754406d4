import Foundation
import PackagePlugin

/// Generates Swift source holding files the binary needs at run time, so `lifeline` works when
/// copied alone to another folder: `Migrations/*.sql` for LifelineStore, `Data/*.tsv` for
/// LifelineService, and for LifelineServer the OpenAPI document `docs/openapi.json` and the
/// pages' templates, CSS and scripts (`Sources/LifelineServer/Web/`).
@main
struct EmbedFiles: BuildToolPlugin {
    /// One generated file: the files of `folder` whose extension is in `extensions`.
    struct Embedding {
        let folder: URL
        let extensions: Set<String>
        let typeName: String
        var extraArguments: [String] = []
    }

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let package = context.package.directoryURL
        let embeddings: [Embedding]
        switch target.name {
        case "LifelineStore":
            embeddings = [.init(folder: package.appending(path: "Migrations"), extensions: ["sql"], typeName: "LifelineSchema", extraArguments: ["--migrations"])]
        case "LifelinePostgres":
            embeddings = [.init(folder: package.appending(path: "Migrations/postgres"), extensions: ["sql"], typeName: "PostgresSchema", extraArguments: ["--migrations"])]
        case "LifelineService":
            embeddings = [.init(folder: package.appending(path: "Data"), extensions: ["tsv"], typeName: "ReferenceData")]
        case "LifelineServer":
            embeddings = [
                .init(folder: package.appending(path: "docs"), extensions: ["json"], typeName: "APIDocument"),
                .init(folder: target.directoryURL.appending(path: "Web"), extensions: ["mustache", "css", "js"], typeName: "WebFiles"),
            ]
        default:
            embeddings = []
        }
        return try embeddings.map { embedding in
            let files = try FileManager.default
                .contentsOfDirectory(at: embedding.folder, includingPropertiesForKeys: nil)
                .filter { embedding.extensions.contains($0.pathExtension) }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
            let output = context.pluginWorkDirectoryURL.appending(path: "Embedded\(embedding.typeName).swift")
            return .buildCommand(
                displayName: "Embedding \(files.count) files from \(embedding.folder.lastPathComponent)/ into \(embedding.typeName)",
                executable: try context.tool(named: "FileEmbedder").url,
                arguments: [output.path, embedding.typeName] + embedding.extraArguments + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        }
    }
}
