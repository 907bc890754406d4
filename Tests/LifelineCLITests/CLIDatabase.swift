import Foundation
import LifelineTestSupport

/// The database an end-to-end test runs the binary on, of either engine, with what the binary
/// then needs from its environment. The file gateway's file and the key file are in the test's
/// folder on both engines (SQLite keeps them beside its file by default; a PostgreSQL database
/// has no file to keep them beside).
struct CLIDatabase {
    let arguments: [String]
    let environment: [String: String]
    /// Where the file gateway writes the messages (the "phone").
    let outboxFile: String
    /// What must never appear in output or logs (PostgreSQL's password).
    let secrets: [String]

    init(_ engine: TestEngine, folder: String) throws {
        outboxFile = folder + "/lifeline.db.outbox.jsonl"
        switch engine {
        case .sqlite:
            arguments = ["--database", folder + "/lifeline.db"]
            environment = [:]
            secrets = []
        case .postgres:
            arguments = ["--database", try PostgresTestServer.shared.get().makeDatabase()]
            environment = ["LIFELINE_SECRET_FILE": folder + "/lifeline.key", "LIFELINE_OUTBOX_FILE": outboxFile]
            secrets = [try PostgresTestServer.shared.get().password]
        }
    }

    /// Runs one command on this database.
    func run(_ command: [String], input: Data? = nil) async throws -> ProcessResult {
        try await LifelineProcess.run(arguments + command, environment: environment, input: input)
    }

    /// Starts `lifeline serve` on this database (see ``LifelineProcess/serve(_:folder:environment:)``).
    func serve(
        _ options: [String], folder: String, environment extra: [String: String] = [:]
    ) async throws -> (Process, ProcessExit, Int) {
        try await LifelineProcess.serve(
            arguments + ["serve", "--listen", "127.0.0.1:0"] + options, folder: folder,
            environment: environment.merging(extra) { $1 })
    }
}
