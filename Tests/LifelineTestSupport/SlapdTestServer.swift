import Foundation
import Glibc

/// An OpenLDAP server of a test's own (Debian's `slapd`): a database loaded offline with
/// `slapadd` in a temporary folder, served on free loopback ports as `ldap://` (with StartTLS)
/// and `ldaps://` under a certificate from a CA made for it, and stopped with ``stop()``.
///
/// A reader account (`cn=reader`) binds with a password; anonymous reads are refused. Plain
/// searches stop at 1,000 entries, as Active Directory's do, so only a paged search reads more.
public final class SlapdTestServer: Sendable {
    public static let suffix = "dc=example,dc=org"
    public static let people = "ou=People,dc=example,dc=org"
    public static let groups = "ou=Groups,dc=example,dc=org"
    public static let reader = "cn=reader,dc=example,dc=org"
    static let administrator = "cn=admin,dc=example,dc=org"

    public let folder: String
    public let port: Int
    public let tlsPort: Int
    /// The reader's password, in a file, as `--password-file` takes it.
    public let passwordFile: String
    /// The CA that signed the server's certificate, as `--ca-file` takes it.
    public let caFile: String
    private let administratorPassword = "admin-\(UUID().uuidString)"

    public var url: String { "ldap://127.0.0.1:\(port)" }
    public var tlsURL: String { "ldaps://127.0.0.1:\(tlsPort)" }

    /// Loads `ldif` (entries under ``people`` and ``groups``; the suffix, the two folders and
    /// the reader are added here) and starts the server.
    public init(entries ldif: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifeline-slapd-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
        passwordFile = folder + "/reader-password"
        caFile = folder + "/ca.pem"
        let password = "reader-\(UUID().uuidString)"
        // No newline: ldapsearch -y reads the whole file as the password.
        try password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        chmod(passwordFile, 0o600)
        try Self.makeCertificates(in: folder)
        try Self.configuration(folder: folder, administratorPassword: administratorPassword)
            .write(toFile: folder + "/slapd.conf", atomically: true, encoding: .utf8)
        let base = """
            dn: \(Self.suffix)
            objectClass: dcObject
            objectClass: organization
            o: Example
            dc: example

            dn: \(Self.people)
            objectClass: organizationalUnit
            ou: People

            dn: \(Self.groups)
            objectClass: organizationalUnit
            ou: Groups

            dn: \(Self.reader)
            objectClass: organizationalRole
            objectClass: simpleSecurityObject
            cn: reader
            userPassword: \(password)


            """
        try (base + ldif).write(toFile: folder + "/seed.ldif", atomically: true, encoding: .utf8)
        try PostgresTestServer.run("/usr/sbin/slapadd", ["-q", "-f", folder + "/slapd.conf", "-l", folder + "/seed.ldif"], logIn: folder, asPostgres: false)
        port = try PostgresTestServer.freePort()
        tlsPort = try PostgresTestServer.freePort()
        // slapd forks into the background once it listens: the run ends when it is ready.
        try PostgresTestServer.run(
            "/usr/sbin/slapd", ["-f", folder + "/slapd.conf", "-h", "ldap://127.0.0.1:\(port)/ ldaps://127.0.0.1:\(tlsPort)/"],
            logIn: folder, asPostgres: false)
        try awaitAnswer()
    }

    /// Stops the server and removes its folder.
    public func stop() {
        if let text = try? String(contentsOfFile: folder + "/slapd.pid", encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(pid, SIGTERM)
            // Gone when signalling it fails; slapd stops in well under a second.
            var waited = 0
            while kill(pid, 0) == 0 && waited < 500 {
                usleep(10_000)
                waited += 1
            }
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Changes entries as the administrator (`ldapmodify`, LDIF with changetypes).
    public func modify(_ ldif: String) throws {
        let file = folder + "/change-\(UUID().uuidString).ldif"
        try ldif.write(toFile: file, atomically: true, encoding: .utf8)
        try PostgresTestServer.run(
            "/usr/bin/ldapmodify", ["-x", "-H", url, "-D", Self.administrator, "-w", administratorPassword, "-f", file], logIn: folder,
            asPostgres: false)
    }

    /// Waits until a search answers: slapd's parent may return before the child accepts.
    private func awaitAnswer() throws {
        var last: (any Error)?
        for _ in 0..<100 {
            do {
                try PostgresTestServer.run(
                    "/usr/bin/ldapsearch", ["-x", "-H", url, "-D", Self.reader, "-y", passwordFile, "-b", Self.suffix, "-s", "base"],
                    logIn: folder, asPostgres: false)
                return
            } catch {
                last = error
                usleep(50_000)
            }
        }
        throw last ?? PostgresTestServerError(command: "slapd", output: "never answered")
    }

    private static func configuration(folder: String, administratorPassword: String) -> String {
        """
        include /etc/ldap/schema/core.schema
        include /etc/ldap/schema/cosine.schema
        include /etc/ldap/schema/inetorgperson.schema
        modulepath /usr/lib/ldap
        moduleload back_mdb
        pidfile \(folder)/slapd.pid
        TLSCACertificateFile \(folder)/ca.pem
        TLSCertificateFile \(folder)/server.pem
        TLSCertificateKeyFile \(folder)/server.key
        sizelimit size.soft=1000 size.hard=1000 size.prtotal=unlimited
        database mdb
        maxsize 1073741824
        suffix "\(suffix)"
        rootdn "\(administrator)"
        rootpw \(administratorPassword)
        directory \(folder)/data
        index objectClass eq
        access to attrs=userPassword by anonymous auth by * none
        access to * by users read by * none

        """
    }

    /// A CA and a certificate it signs for 127.0.0.1, with openssl.
    private static func makeCertificates(in folder: String) throws {
        let openssl = "/usr/bin/openssl"
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: folder + "/san.ext", atomically: true, encoding: .utf8)
        for arguments in [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", folder + "/ca.key", "-out", folder + "/ca.pem", "-days", "2", "-subj", "/CN=Lifeline test CA"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", folder + "/server.key", "-out", folder + "/server.csr", "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", folder + "/server.csr", "-CA", folder + "/ca.pem", "-CAkey", folder + "/ca.key", "-CAcreateserial",
             "-out", folder + "/server.pem", "-days", "2", "-extfile", folder + "/san.ext"],
        ] {
            try PostgresTestServer.run(openssl, arguments, logIn: folder, asPostgres: false)
        }
    }

    /// `count` people, `uid=u00001`…, each with mail, displayName, a mobile in E.164 spaced as
    /// directories write it, and a department; every one in the group Staff, each tenth in Night Shift.
    public static func people(_ count: Int) -> String {
        var text = ""
        text.reserveCapacity(count * 260)
        for index in 1...count {
            let uid = String(format: "u%05d", index)
            text += """
                dn: uid=\(uid),\(people)
                objectClass: inetOrgPerson
                uid: \(uid)
                cn: Person \(index)
                sn: P\(index)
                displayName: Person \(uid)
                mail: \(uid)@example.org
                mobile: +44 7700 9\(String(format: "%05d", index % 100_000))
                departmentNumber: D\(index % 7)


                """
        }
        for (name, step) in [("Staff", 1), ("Night Shift", 10)] {
            text += "dn: cn=\(name),\(groups)\nobjectClass: groupOfNames\ncn: \(name)\n"
            for index in stride(from: step, through: count, by: step) { text += "member: uid=\(String(format: "u%05d", index)),\(people)\n" }
            text += "\n"
        }
        return text
    }
}
