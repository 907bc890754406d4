import Foundation
import Testing

/// `scripts/demo` echoes each command as a shell needs it, so a pasted line runs as shown.
struct DemoScriptTests {
    private let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/demo").path

    @Test func anEchoedCommandParsesBackToTheSameArguments() async throws {
        let arguments = ["./lifeline", "sms", "inbound", "--from", "+44 7700 900461", "--text", "it's STOP!", "{name}", "a\"b", "$HOME"]
        let script = #"source <(sed -n '/^quoted()/,/^}/p' "$0"); line=$(quoted "$@"); eval "set -- $line"; printf '%s\n' "$@""#
        let result = try await LifelineProcess.run(["-c", script, demo] + arguments, executable: "/bin/bash")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == arguments.map { $0 + "\n" }.joined())
    }
}
