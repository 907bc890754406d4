import Foundation
import LifelineTestSupport
import Testing

/// The systemd units shipped in `scripts/` are ones systemd accepts: `systemd-analyze verify`
/// with no error and no warning (an unknown or misspelt setting is only a warning to systemd,
/// and would leave a hardening option silently off). Where systemd is not installed, skipped.
struct SystemdUnitTests {
    private static let analyzer = "/usr/bin/systemd-analyze"
    private static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts").path

    /// Each unit, with the installed paths its commands name pointed at this checkout's
    /// (verify checks that each command exists and is executable).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: analyzer)), arguments: ["lifeline.service", "lifeline-purge.service"])
    func systemdAcceptsTheUnit(name: String) async throws {
        try await withTemporaryDirectory { folder in
            var unit = try String(contentsOfFile: Self.scripts + "/" + name, encoding: .utf8)
            unit = unit.replacingOccurrences(of: "/usr/local/bin/lifeline", with: LifelineProcess.builtBinary)
                .replacingOccurrences(of: "/opt/lifeline/scripts/", with: Self.scripts + "/")
            try unit.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
            if name == "lifeline-purge.service" {
                try FileManager.default.copyItem(atPath: Self.scripts + "/lifeline-purge.timer", toPath: folder + "/lifeline-purge.timer")
            }
            var units = [folder + "/" + name]
            if name == "lifeline-purge.service" { units.append(folder + "/lifeline-purge.timer") }
            let result = try await LifelineProcess.run(["verify"] + units, executable: Self.analyzer)
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardError.isEmpty && result.standardOutput.isEmpty, "\(result.standardError)\(result.standardOutput)")
        }
    }

    /// The service's hardening, which `verify` cannot tell is missing.
    @Test func theServiceRunsConfinedWithItsSecretsAsCredentials() throws {
        let unit = try String(contentsOfFile: Self.scripts + "/lifeline.service", encoding: .utf8)
        let settings = Set(unit.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init))
        for required in [
            "DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes", "CapabilityBoundingSet=",
            "LoadCredential=lifeline.key:/etc/lifeline/lifeline.key", "Environment=LIFELINE_SECRET_FILE=%d/lifeline.key",
        ] {
            #expect(settings.contains(required), "lifeline.service lacks \(required)")
        }
        #expect(!unit.contains("LIFELINE_SECRET="), "the secret is never in the unit")
    }
}
