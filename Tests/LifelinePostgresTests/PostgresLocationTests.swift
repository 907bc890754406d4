import Foundation
import LifelineTestSupport
import Testing

@testable import LifelinePostgres

struct PostgresLocationTests {
    @Test func aURLGivesEveryPart() throws {
        let location = try PostgresLocation(
            url: "postgres://ops%40site:p%3Ass@db.example.org:6543/lifeline?sslmode=verify-full&sslrootcert=/etc/ca.pem",
            environment: [:])
        #expect(location.user == "ops@site")
        #expect(location.password == "p:ss")
        #expect(location.host == "db.example.org")
        #expect(location.port == 6543)
        #expect(location.database == "lifeline")
        #expect(location.tlsMode == .verifyFull)
        #expect(location.rootCertificatePath == "/etc/ca.pem")
        #expect(location.description == "postgres://ops@site@db.example.org:6543/lifeline")
        #expect(!location.description.contains("p:ss"))
    }

    @Test func thePasswordComesFromTheURLThenPGPASSWORDThenThePassfile() throws {
        try withTemporaryDirectory { folder in
            let passfile = folder + "/pgpass"
            try "# comment\ndb:5432:*:ops:from\\:file\n*:*:*:*:fallback\n".write(toFile: passfile, atomically: true, encoding: .utf8)
            chmod(passfile, 0o600)
            let url = "postgres://ops@db/lifeline"
            #expect(try PostgresLocation(url: "postgres://ops:inline@db/lifeline", environment: ["PGPASSWORD": "env"]).password == "inline")
            #expect(try PostgresLocation(url: url, environment: ["PGPASSWORD": "env", "PGPASSFILE": passfile]).password == "env")
            #expect(try PostgresLocation(url: url, environment: ["PGPASSFILE": passfile]).password == "from:file")
            #expect(try PostgresLocation(url: "postgres://ann@other/x", environment: ["PGPASSFILE": passfile]).password == "fallback")
            // As libpq does, a passfile others may read is not used.
            chmod(passfile, 0o644)
            #expect(try PostgresLocation(url: url, environment: ["PGPASSFILE": passfile]).password == nil)
        }
    }

    @Test func whatCannotBeUsedIsSaidWithoutThePassword() {
        #expect(throws: PostgresLocationError.badTLSMode("allow")) {
            try PostgresLocation(url: "postgres://a@h/d?sslmode=allow", environment: [:])
        }
        #expect(throws: PostgresLocationError.badPort("99999")) {
            try PostgresLocation(url: "postgres://a@h:99999/d", environment: [:])
        }
        #expect(throws: PostgresLocationError.badTargetSession("standby")) {
            try PostgresLocation(url: "postgres://a:secret@h1,h2/d?target_session_attrs=standby", environment: [:])
        }
        #expect(!PostgresLocationError.notAURL("postgresql:/a:secret@h/d").description.contains("secret"))
    }

    /// libpq's multi-host URL: each host with its own port (5432 when none), in order, the
    /// password looked up for each in the passfile.
    @Test func severalHostsAreKeptInOrderEachWithItsPortAndPassword() throws {
        try withTemporaryDirectory { folder in
            let passfile = folder + "/pgpass"
            try "h1:5432:lifeline:ops:one\n::1:5433:lifeline:ops:unescaped-colons-match-nothing\n\\:\\:1:5433:lifeline:ops:two\n".write(toFile: passfile, atomically: true, encoding: .utf8)
            chmod(passfile, 0o600)
            let location = try PostgresLocation(
                url: "postgres://ops@h1,[::1]:5433/lifeline?target_session_attrs=read-write&connect_timeout=3",
                environment: ["PGPASSFILE": passfile])
            #expect(location.endpoints.map(\.host) == ["h1", "::1"])
            #expect(location.endpoints.map(\.port) == [5432, 5433])
            #expect(location.endpoints.map(\.password) == ["one", "two"])
            #expect(location.targetSession == .readWrite)
            #expect(location.connectTimeout == .seconds(3))
            #expect(location.description == "postgres://ops@h1:5432,[::1]:5433/lifeline")
            #expect(location.reaching(location.endpoints[1]).description == "postgres://ops@[::1]:5433/lifeline")
            #expect(try PostgresLocation(url: "postgres://ops@h1/lifeline", environment: [:]).targetSession == .any)
            #expect(try PostgresLocation(url: "postgres://ops@h1,h2/x?target_session_attrs=primary", environment: [:]).targetSession == .primary)
        }
    }
}
