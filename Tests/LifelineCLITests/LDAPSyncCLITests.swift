import Foundation
import LifelineTestSupport
import Testing

/// `lifeline sync ldap` end to end: the built binary against Debian's slapd, started by each
/// test on loopback and stopped after.
@Suite(.serialized) struct LDAPSyncCLITests {
    /// The JSON object a command printed.
    private func json(_ result: ProcessResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any], "\(result.standardError)")
    }

    /// A slapd of the test's own around `body`. Starting, changing and stopping it wait on
    /// processes: on a thread of their own, never one of the cooperative pool other tests run on.
    private func withSlapd<T: Sendable>(people count: Int, _ body: (SlapdTestServer) async throws -> T) async throws -> T {
        let server = try await LifelineProcess.onThread { try SlapdTestServer(entries: SlapdTestServer.people(count)) }
        do {
            let result = try await body(server)
            _ = try? await LifelineProcess.onThread { server.stop() }
            return result
        } catch {
            _ = try? await LifelineProcess.onThread { server.stop() }
            throw error
        }
    }

    /// The sync options every run here shares: the reader, the people, groups by search, leavers disabled.
    private func syncArguments(_ server: SlapdTestServer, url: String? = nil) -> [String] {
        [
            "sync", "ldap", "--url", url ?? server.url, "--base", SlapdTestServer.people, "--bind-dn", SlapdTestServer.reader,
            "--password-file", server.passwordFile, "--map", "mail=email,displayName=name,mobile=mobile,departmentNumber=department",
            "--groups-from", "search", "--group-base", SlapdTestServer.groups, "--disable-missing", "--format", "json",
        ]
    }

    /// 10,000 entries: the first sync creates them all, read a page at a time past the
    /// server's limit of 1,000; the second changes and commits nothing; 10 deleted entries are
    /// 10 disabled users; an entry whose mobile is removed has its mobile cleared, and only it.
    @Test(.timeLimit(.minutes(5)), .tags(.slow), .skippedWhenQuick, arguments: TestEngine.allCases)
    func tenThousandEntriesSyncThenNothingThenLeaversThenARemovedMobile(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let database = try CLIDatabase(engine, folder: folder)
            #expect(try await database.run(["migrate"]).status == 0)
            try await withSlapd(people: 10_000) { server in
                let first = try await database.run(syncArguments(server))
                #expect(first.status == 0, "\(first.standardError)")
                let created = try json(first)
                #expect(created["entries"] as? Int == 10_000 && created["created"] as? Int == 10_000)
                #expect(created["groups_created"] as? Int == 2 && created["memberships_added"] as? Int == 11_000)
                #expect(created["rejected"] as? Int == 0 && created["written"] as? Bool == true)
                #expect(try await database.run(["sms", "attribute", "set", "mobile"]).status == 0)

                let second = try json(try await database.run(syncArguments(server)))
                #expect(second["unchanged"] as? Int == 10_000 && second["updated"] as? Int == 0 && second["disabled"] as? Int == 0)
                #expect(second["written"] as? Bool == false && (second["result"] as? String)?.hasPrefix("nothing to write") == true)

                let leavers = (1...10).map { String(format: "u%05d", $0 * 7) }
                let changes = leavers.map { "dn: uid=\($0),\(SlapdTestServer.people)\nchangetype: delete\n" }.joined(separator: "\n") + """

                    dn: uid=u00020,\(SlapdTestServer.people)
                    changetype: modify
                    delete: mobile

                    """
                try await LifelineProcess.onThread { try server.modify(changes) }
                let third = try json(try await database.run(syncArguments(server)))
                #expect(third["entries"] as? Int == 9_990 && third["disabled"] as? Int == 10, "\(third)")
                #expect(third["updated"] as? Int == 1 && third["unchanged"] as? Int == 9_989)

                let leaver = try json(try await database.run(["users", "show", "u00007@example.org", "--format", "json"]))
                #expect(leaver["status"] as? String == "disabled" && leaver["groups"] as? String == "Staff")
                let renumbered = try json(try await database.run(["users", "show", "u00020@example.org", "--format", "json"]))
                #expect(renumbered["attribute.mobile"] == nil && renumbered["sms_verdict"] as? String == "missing")
                #expect(renumbered["attribute.department"] as? String == "D6" && renumbered["status"] as? String == "active")
                let kept = try json(try await database.run(["users", "show", "u00021@example.org", "--format", "json"]))
                #expect(kept["sms_number"] as? String == "447700900021")
            }
        }
    }

    /// TLS both ways, and every way a sync can fail: each a clear error that changes nothing.
    @Test(.timeLimit(.minutes(3)), .tags(.slow), .skippedWhenQuick, arguments: TestEngine.allCases)
    func tlsWorksAndAWrongPasswordAnUnreachableServerOrABadFilterChangeNothing(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let database = try CLIDatabase(engine, folder: folder)
            #expect(try await database.run(["migrate"]).status == 0)
            try await withSlapd(people: 50) { server in
                let ldaps = try await database.run(syncArguments(server, url: server.tlsURL) + ["--ca-file", server.caFile])
                #expect(ldaps.status == 0, "\(ldaps.standardError)")
                #expect(try json(ldaps)["created"] as? Int == 50)
                let startTLS = try await database.run(syncArguments(server) + ["--starttls", "--ca-file", server.caFile])
                #expect(startTLS.status == 0, "\(startTLS.standardError)")
                #expect(try json(startTLS)["unchanged"] as? Int == 50)

                let untrusted = try await database.run(syncArguments(server, url: server.tlsURL))
                #expect(untrusted.status == 69 && untrusted.standardError.contains("certificate"), "\(untrusted.standardError)")

                try "wrong\n".write(toFile: folder + "/wrong", atomically: true, encoding: .utf8)
                var wrong = syncArguments(server)
                wrong[wrong.firstIndex(of: server.passwordFile)!] = folder + "/wrong"
                let refused = try await database.run(wrong)
                #expect(refused.status == 78 && refused.standardError.contains("Invalid credentials"), "\(refused.standardError)")
                #expect(refused.standardError.contains("nothing was changed"))

                let closed = try await database.run(syncArguments(server, url: "ldap://127.0.0.1:1"))
                #expect(closed.status == 69 && closed.standardError.contains("Can't contact LDAP server"), "\(closed.standardError)")

                let badFilter = try await database.run(syncArguments(server) + ["--filter", "(mail~~x)"])
                #expect(badFilter.status == 64 && badFilter.standardError.contains("Bad search filter"), "\(badFilter.standardError)")

                // A filter that finds nobody would make everyone a leaver: refused.
                let nobody = try await database.run(syncArguments(server) + ["--filter", "(mail=nobody@example.org)"])
                #expect(nobody.status == 65 && nobody.standardError.contains("found no entries"), "\(nobody.standardError)")

                let disabled = try await database.run(["users", "list", "--status", "disabled", "--format", "csv"])
                #expect(disabled.standardOutput.split(separator: "\r\n").count == 1, "only the header: nobody was disabled")
                let after = try json(try await database.run(syncArguments(server)))
                #expect(after["unchanged"] as? Int == 50, "the failed runs changed nothing")

                // The settings from a file, as `serve --sync-ldap-every` reads them.
                let config = """
                    # Lifeline's LDAP sync
                    url = \(server.tlsURL)
                    ca-file = \(server.caFile)
                    base = \(SlapdTestServer.people)
                    bind-dn = \(SlapdTestServer.reader)
                    password-file = \(server.passwordFile)
                    map = mail=email,displayName=name,mobile=mobile,departmentNumber=department
                    groups-from = search
                    group-base = \(SlapdTestServer.groups)
                    disable-missing = yes

                    """
                try config.write(toFile: folder + "/ldap-sync.conf", atomically: true, encoding: .utf8)
                let fromFile = try await database.run(["sync", "ldap", "--config", folder + "/ldap-sync.conf", "--dry-run", "--format", "json"])
                #expect(fromFile.status == 0, "\(fromFile.standardError)")
                #expect(try json(fromFile)["unchanged"] as? Int == 50)
                let mixed = try await database.run(["sync", "ldap", "--config", folder + "/ldap-sync.conf", "--url", server.url])
                #expect(mixed.status == 64)

                // The sync above was just now: a server waits out the interval from it.
                let (waiting, waitingExit, _) = try await database.serve(
                    ["--sync-ldap-every", "1h", "--sync-ldap-config", folder + "/ldap-sync.conf"], folder: folder)
                let notDue = try await LifelineProcess.logLine(containing: "\"message\":\"directory sync not due\"", in: folder)
                waiting.terminate()
                #expect(await waitingExit.status() == 0)
                #expect(notDue.contains(#""in_seconds":"35"#), "about an hour: \(notDue)")

                // A server on a database no sync has run on runs it at once, from the same file.
                let fresh = folder + "/fresh"
                try FileManager.default.createDirectory(atPath: fresh, withIntermediateDirectories: true)
                let other = try CLIDatabase(engine, folder: fresh)
                #expect(try await other.run(["migrate"]).status == 0)
                let (process, exited, _) = try await other.serve(
                    ["--sync-ldap-every", "1h", "--sync-ldap-config", folder + "/ldap-sync.conf"], folder: fresh)
                let synced = try await LifelineProcess.logLine(containing: "\"message\":\"directory synced\"", in: fresh)
                process.terminate()
                #expect(await exited.status() == 0)
                #expect(synced.contains(#""created":"50""#) && synced.contains(#""outcome":"written""#), "\(synced)")
                #expect(try await other.run(["users", "list", "--format", "csv"]).standardOutput.split(separator: "\r\n").count == 51)
            }
        }
    }
}
