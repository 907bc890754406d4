import Synchronization
import Foundation

/// What one run of the `lifeline` binary printed and returned.
struct ProcessResult {
    let status: Int32
    let standardOutput: String
    let standardError: String
}

/// Runs the built `lifeline` binary, as a user would.
enum LifelineProcess {
    /// The binary SwiftPM built beside this test bundle (or `LIFELINE_BINARY`).
    static var builtBinary: String {
        if let path = ProcessInfo.processInfo.environment["LIFELINE_BINARY"] { return path }
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return bundle.deletingLastPathComponent().appendingPathComponent("lifeline").path
    }

    /// Runs `executable` with `arguments` in `folder`, with `environment` added to (or, for a
    /// nil value, removed from) the current environment.
    static func run(
        _ arguments: [String], executable: String = builtBinary, in folder: String? = nil,
        environment: [String: String?] = [:], prefix: [String] = [], input: Data? = nil
    ) throws -> ProcessResult {
        let process = Process()
        let command = prefix + [executable] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        var merged = ProcessInfo.processInfo.environment
        merged["LIFELINE_DATABASE"] = nil
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        let inputPipe = input.map { _ in Pipe() }
        if let inputPipe { process.standardInput = inputPipe }
        try process.run()
        if let input, let inputPipe {
            inputPipe.fileHandleForWriting.write(input)
            try inputPipe.fileHandleForWriting.close()
        }
        // Read both pipes before waiting, so a large output cannot fill a pipe and block the child.
        let errorData = Mutex<Data>(Data())
        let errorReader = Thread { errorData.withLock { $0 = error.fileHandleForReading.readDataToEndOfFile() } }
        errorReader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while errorReader.isExecuting || !errorReader.isFinished { Thread.sleep(forTimeInterval: 0.005) }
        return ProcessResult(
            status: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData.withLock { $0 }, as: UTF8.self))
    }
}
