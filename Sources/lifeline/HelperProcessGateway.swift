import FoundationEssentials
import LifelineService

#if canImport(Glibc)
    import Glibc
#endif

/// A gateway that runs in a helper process beside `lifeline` (`lifeline-webhook`), spoken to in
/// `GatewayHelperLine`s of JSON over the helper's standard input and output.
final class HelperProcessGateway: MessageGateway {
    let name: String
    private let helper: HelperProcess

    /// Starts the helper and waits until it says it is configured: throws its `GatewayFailure`
    /// (an unset `LIFELINE_WEBHOOK_URL`, say) before anything is claimed.
    init(name: String, executable: String) throws {
        self.name = name
        helper = try HelperProcess(executable: executable, gateway: name)
        switch try helper.receive() {
        case .ready: break
        case .failure(let failure): throw failure
        default: throw GatewayFailure.unavailable(gateway: name, reason: "its helper \(executable) did not start properly")
        }
    }

    func send(_ messages: [GatewayMessage]) async throws -> [GatewayOutcome] {
        try helper.send(.batch(messages))
        switch try helper.receive() {
        case .outcomes(let outcomes) where outcomes.count == messages.count: return outcomes
        case .failure(let failure): throw failure
        default: throw GatewayFailure.unavailable(gateway: name, reason: "its helper answered out of turn")
        }
    }

    /// The path of `helper` in the folder the running `lifeline` binary is in.
    static func besideExecutable(_ helper: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBufferPointer { readlink("/proc/self/exe", $0.baseAddress!, $0.count) }
        let binary =
            count > 0 ? String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
        guard let slash = binary.lastIndex(of: "/") else { return helper }
        return binary[...slash] + helper
    }
}

/// A child process with a pipe to its standard input and one from its standard output; its
/// standard error is ours, so what it logs reaches the operator.
final class HelperProcess {
    private let gateway: String
    private let pid: pid_t
    private let toHelper: Int32
    private let fromHelper: Int32
    private var pending: [UInt8] = []

    init(executable: String, gateway: String) throws {
        self.gateway = gateway
        guard access(executable, X_OK) == 0 else {
            throw GatewayFailure.unavailable(
                gateway: gateway,
                reason: "its helper \(executable) is missing (build it with scripts/build-release and keep it beside lifeline)")
        }
        var input: [Int32] = [-1, -1], output: [Int32] = [-1, -1]
        guard pipe(&input) == 0 else { throw Self.failure(gateway, "pipe", errno) }
        guard pipe(&output) == 0 else {
            close(input[0]); close(input[1])
            throw Self.failure(gateway, "pipe", errno)
        }
        // Close-on-exec on all four ends: the helper gets only its dup2'ed 0 and 1.
        for descriptor in input + output { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(executable), nil]
        defer { free(argv[0]) }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, argv, environ)
        close(input[0])
        close(output[1])
        guard status == 0 else {
            close(input[1]); close(output[0])
            throw Self.failure(gateway, "start \(executable)", status)
        }
        // A helper that dies must make our write fail with EPIPE, not kill lifeline mid-dispatch.
        signal(SIGPIPE, SIG_IGN)
        pid = child
        toHelper = input[1]
        fromHelper = output[0]
    }

    deinit {
        close(toHelper)  // end of input: the helper finishes and exits
        close(fromHelper)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    func send(_ line: GatewayHelperLine) throws {
        var bytes = Array(try JSONEncoder().encode(line))
        bytes.append(UInt8(ascii: "\n"))
        do {
            try FileDescriptorWriter(descriptor: toHelper).write(bytes)
        } catch {
            throw Self.failure(gateway, "write to its helper", error.code)
        }
    }

    func receive() throws -> GatewayHelperLine {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Data(pending[..<newline])
                pending.removeSubrange(...newline)
                do {
                    return try JSONDecoder().decode(GatewayHelperLine.self, from: line)
                } catch {
                    throw GatewayFailure.unavailable(gateway: gateway, reason: "its helper wrote a line that is not a reply")
                }
            }
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            let count = chunk.withUnsafeMutableBytes { read(fromHelper, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw count == 0
                    ? GatewayFailure.unavailable(gateway: gateway, reason: "its helper exited (see the messages above)")
                    : Self.failure(gateway, "read from its helper", errno)
            }
            pending += chunk[..<count]
        }
    }

    private static func failure(_ gateway: String, _ action: String, _ code: Int32) -> GatewayFailure {
        .unavailable(gateway: gateway, reason: "could not \(action): \(String(cString: strerror(code)))")
    }
}
