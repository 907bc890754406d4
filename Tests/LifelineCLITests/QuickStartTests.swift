import Foundation
import LifelineTestSupport
import Testing

/// The README's "Your own directory" quick start, run as written on an Active Directory style
/// export: each line in a shell with `lifeline` on the PATH, then the first admin's way into the
/// console over HTTP, the codes read from the file gateway as the phone would.
struct QuickStartTests {
    private static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md").path

    private static let export = """
        Email Address,Display Name,Work Mobile,Department,memberOf
        you@example.com,You Admin,+44 7700 900001,IT,Admins
        sam@example.com,Sam Lee,07700 900002,Sales,Staff

        """

    /// The commands of the quick start's shell block.
    static func commands() throws -> [String] {
        let text = try String(contentsOfFile: readme, encoding: .utf8)
        let section = try #require(text.components(separatedBy: "<!-- quick start:").dropFirst().first)
        let block = try #require(section.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "```").first)
        return block.split(separator: "\n").map(String.init)
    }

    @Test(.timeLimit(.minutes(2)), .tags(.slow), .skippedWhenQuick)
    func fromAnExportToASignedInConsoleAsTheReadmeSays() async throws {
        let commands = try Self.commands()
        #expect(commands.first == "lifeline migrate" && commands.last?.hasPrefix("lifeline serve") == true)
        try await withTemporaryDirectory { folder in
            try Data(Self.export.utf8).write(to: URL(fileURLWithPath: folder + "/staff.csv"))
            let binaryFolder = URL(fileURLWithPath: LifelineProcess.builtBinary).deletingLastPathComponent().path
            let path = binaryFolder + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            var granted = ""
            for command in commands.dropLast() {
                let result = try await LifelineProcess.run(
                    ["-c", command], executable: "/bin/bash", in: folder, environment: ["PATH": path, "LIFELINE_DATABASE": nil])
                #expect(result.status == 0, "\(command): \(result.standardError)")
                if command.contains("--send-reset") { granted = result.standardError }
                if command.contains("verify-numbers") {
                    #expect(result.standardOutput.contains(/deliverable\s+2\n/), "both numbers are sent to: \(result.standardOutput)")
                }
            }
            let link = try #require(granted.firstMatch(of: /\/portal\/reset\/code\?request=[A-Za-z0-9-]+/)).output

            let serve = try #require(commands.last).split(separator: " ").dropFirst().map(String.init)
            let (process, exited, port) = try await LifelineProcess.serve(serve + ["--listen", "127.0.0.1:0"], folder: folder)
            let phone = folder + "/lifeline.db.outbox.jsonl"
            var portal = PageClient(port: port)
            let codePage = try await portal.get(String(link))
            #expect(codePage.status == 200)
            let requestID = try #require(String(link).split(separator: "=").last).description
            let resetCode = try await Self.code(number: 0, phone: phone)
            let passwordPage = try await portal.post("/portal/reset/verify", ["request_id": requestID, "code": resetCode])
            #expect(passwordPage.status == 200, "\(passwordPage.body)")
            let done = try await portal.post(
                "/portal/reset/complete", ["request_id": requestID, "password": "Lantern-Quay-2026", "confirmation": "Lantern-Quay-2026"])
            #expect(done.body.contains("Password changed"), "\(done.body)")

            var console = PageClient(port: port)
            #expect(try await console.get("/console/sign-in").body.contains("/portal/reset"))
            let signedIn = try await console.post("/console/sign-in", ["email": "you@example.com", "password": "Lantern-Quay-2026"])
            #expect(signedIn.status == 303 && signedIn.headers["location"] == "/console/sign-in/code", "\(signedIn.body)")
            _ = try await console.get("/console/sign-in/code")
            let second = try await console.post("/console/sign-in/code", ["code": try await Self.code(number: 1, phone: phone)])
            #expect(second.status == 303, "\(second.body)")
            let home = try await console.get("/console")
            #expect(home.status == 200 && home.body.contains("Sign out") && home.body.contains("/console/import"))

            kill(process.processIdentifier, SIGTERM)
            #expect(await exited.status() == 0)
        }
    }

    /// The code in the (`number` + 1)th code message the server's dispatcher wrote.
    private static func code(number: Int, phone: String) async throws -> String {
        for _ in 0..<300 {
            let text = (try? String(contentsOfFile: phone, encoding: .utf8)) ?? ""
            let codes = text.split(separator: "\n").compactMap { line in
                line.firstMatch(of: /code is (\d+)/).map { String($0.1) }
            }
            if codes.count > number { return codes[number] }
            // The gateway's file has no event to await: polled, briefly.
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("no code reached the phone")
        throw CancellationError()
    }
}

/// A browser's part in a page flow: the area's cookie kept, each form sent with its CSRF token.
struct PageClient {
    let port: Int
    private var cookie: String?
    private var csrf: String?

    init(port: Int) {
        self.port = port
    }

    mutating func get(_ path: String) async throws -> LoopbackHTTP.Answer {
        try keep(await LoopbackHTTP.request(port: port, method: "GET", path: path, headers: cookieHeader))
    }

    mutating func post(_ path: String, _ fields: [String: String]) async throws -> LoopbackHTTP.Answer {
        var all = fields
        all["csrf"] = csrf ?? ""
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = all.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        return try keep(
            await LoopbackHTTP.request(
                port: port, method: "POST", path: path,
                headers: cookieHeader.merging(["Content-Type": "application/x-www-form-urlencoded"]) { $1 }, body: body))
    }

    private var cookieHeader: [String: String] { cookie.map { ["Cookie": $0] } ?? [:] }

    private mutating func keep(_ answer: LoopbackHTTP.Answer) -> LoopbackHTTP.Answer {
        if let set = answer.headers["set-cookie"], let pair = set.split(separator: ";").first { cookie = String(pair) }
        if let match = answer.body.firstMatch(of: /name="csrf" value="([0-9a-f]{64})"/) { csrf = String(match.1) }
        return answer
    }
}
