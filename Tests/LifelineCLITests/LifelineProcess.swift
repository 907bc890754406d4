import Foundation
import Synchronization
import Testing

/// What one run of the `lifeline` binary printed and returned.
struct ProcessResult {
    let status: Int32
    let standardOutput: String
    let standardError: String
}

/// Runs the built `lifeline` binary, as a user would.
///
/// Nothing here blocks a thread of Swift's cooperative pool: the pipes are read on threads of
/// their own and the exit is awaited through the process's termination handler, so tests run
/// side by side and their timings mean something.
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
    ) async throws -> ProcessResult {
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
        let exited = ProcessExit(process)
        try process.run()
        // Each pipe is drained on its own thread, so a large output cannot fill a pipe and block the child.
        async let outputData = readToEnd(output.fileHandleForReading)
        async let errorData = readToEnd(error.fileHandleForReading)
        if let input, let inputPipe {
            try await onThread {
                inputPipe.fileHandleForWriting.write(input)
                try inputPipe.fileHandleForWriting.close()
            }
        }
        let status = await exited.status()
        return ProcessResult(
            status: status,
            standardOutput: String(decoding: try await outputData, as: UTF8.self),
            standardError: String(decoding: try await errorData, as: UTF8.self))
    }

    /// Starts the binary without waiting for it (for tests that kill it or race several).
    static func start(_ arguments: [String], outputTo output: FileHandle = .nullDevice) throws -> (Process, ProcessExit) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: builtBinary)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let exited = ProcessExit(process)
        try process.run()
        return (process, exited)
    }

    /// Starts `lifeline serve` (`arguments` include `serve` and a `--listen` with port 0) in
    /// `folder`, its log in `folder/serve.log`; returns it with its port once it says it listens.
    static func serve(
        _ arguments: [String], folder: String, environment: [String: String] = [:]
    ) async throws -> (Process, ProcessExit, Int) {
        let log = folder + "/serve.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: builtBinary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let exited = ProcessExit(process)
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.contains("\"message\":\"listening\"") }),
                let range = line.range(of: #"127\.0\.0\.1:\d+"#, options: .regularExpression),
                let port = Int(line[range].split(separator: ":").last ?? "")
            {
                return (process, exited, port)
            }
            // The log is a file the server writes: polled, since a file has no event to await.
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        Issue.record("the server did not say it listens: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        throw CancellationError()
    }

    /// The first line of `folder/serve.log` containing `text`, once the server writes it.
    static func logLine(containing text: String, in folder: String, within seconds: TimeInterval = 60) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let log = (try? String(contentsOfFile: folder + "/serve.log", encoding: .utf8)) ?? ""
            if let line = log.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            // The log is a file the server writes: polled, since a file has no event to await.
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the server never logged \(text): \((try? String(contentsOfFile: folder + "/serve.log", encoding: .utf8)) ?? "")")
        throw CancellationError()
    }

    private static func readToEnd(_ handle: FileHandle) async throws -> Data {
        try await onThread { handle.readDataToEndOfFile() }
    }

    /// Runs blocking work on a new thread and awaits its result.
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}

/// A process's exit, awaited without blocking: set up before the process starts.
final class ProcessExit: Sendable {
    private let state = Mutex<(status: Int32?, waiter: CheckedContinuation<Int32, Never>?)>((nil, nil))

    init(_ process: Process) {
        process.terminationHandler = { [self] process in
            let status = process.terminationStatus
            let waiter = state.withLock { state -> CheckedContinuation<Int32, Never>? in
                state.status = status
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: status)
        }
    }

    /// The exit status, once the process has ended.
    func status() async -> Int32 {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Int32? in
                if let status = state.status { return status }
                state.waiter = continuation
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }
}
