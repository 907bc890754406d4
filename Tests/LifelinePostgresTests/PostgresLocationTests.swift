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
        let several = PostgresLocationError.severalHosts(PostgresLocation.redacted("postgres://a:secret@h1,h2/d"))
        #expect(!several.description.contains("secret"))
    }
}
