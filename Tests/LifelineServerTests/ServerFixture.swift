import Foundation
import Hummingbird
import HummingbirdTesting
import LifelineServer
import LifelineService
import LifelineStore
import LifelineTestSupport
import Logging

/// A migrated directory, an environment over it, and one API key per role.
struct ServerFixture {
    static let directory = """
        email,name,mobile
        ann@example.com,Ann,447700900001
        bob@example.com,Bob,447700900002

        """

    let folder: String
    let settings: DatabaseSettings
    let environment: LifelineEnvironment
    let keys: [APIKeyRole: String]

    init(folder: String, engine: TestEngine, clock: any WallClock = SystemClock()) throws {
        self.folder = folder
        settings = try engine.newDatabase(in: folder)
        environment = LifelineEnvironment(
            database: settings, secret: .value(String(repeating: "ab", count: 32)),
            clock: clock, passwordHasher: PasswordHasher(unsafeUncheckedRounds: 1_000))
        _ = try DatabaseMaintenance(environment).migrate(backup: false)
        try Data(Self.directory.utf8).write(to: URL(fileURLWithPath: folder + "/staff.csv"))
        _ = try DirectoryImporter(environment).importUsers(from: .file(path: folder + "/staff.csv"), path: "staff.csv", options: ImportOptions())
        try SMSNumbers(environment).setAttribute(named: "mobile")
        var keys: [APIKeyRole: String] = [:]
        for role in APIKeyRole.allCases {
            keys[role] = try APIKeys(environment).create(name: role.rawValue, role: role).key
        }
        self.keys = keys
    }

    func application(_ configuration: ServerConfiguration = .checked) -> some ApplicationProtocol {
        // As `lifeline serve` runs: connections kept and reused, work on the server's threads,
        // which stop with the application.
        LifelineServer.makeApplication(
            environment: environment.serving(
                from: DatabaseThreads(writers: settings.location.concurrentWriters, readers: settings.location.concurrentReaders)),
            configuration: configuration, logger: Logger(label: "test"))
    }

    /// A connection of its own, to arrange what a test needs or look inside.
    func connection() throws -> any SQLConnection {
        try settings.testConnection()
    }

    func headers(_ role: APIKeyRole?) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let role, let key = keys[role] { fields[.authorization] = "Bearer \(key)" }
        return fields
    }

    /// Sends what is queued through the file gateway; returns the codes the phones received.
    func deliveredCodes() async throws -> [String] {
        let path = folder + "/phone.jsonl"
        _ = try await OutboxDispatcher(environment).dispatch(through: FileGateway(path: path, clock: SystemClock()))
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: #"code is \d+"#, options: .regularExpression) else { return nil }
            return String(line[range].dropFirst("code is ".count))
        }
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:] }
}

func jsonBody(_ object: [String: String]) -> ByteBuffer {
    ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
}

extension ServerConfiguration {
    /// The tests' server: on loopback, any port, and a page asking for a value its view lacks is an error.
    static var checked: ServerConfiguration {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.checksPageValues = true
        return configuration
    }
}
