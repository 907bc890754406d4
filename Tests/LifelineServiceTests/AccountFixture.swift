import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

/// A directory for the reset and login flows: Ann (a number as directories write it, which is
/// deliverable: it names its country), Bob (none), Eve (disabled), all
/// in Staff; services on a moving clock with a low, explicitly unsafe PBKDF2 count.
struct AccountFixture {
    static let directory = """
        email,name,mobile,groups
        ann@example.com,Ann,+44 7700 900001,Staff
        bob@example.com,Bob,,Staff
        eve@example.com,Eve,447700900005,Staff

        """
    static let hasher = PasswordHasher(unsafeUncheckedRounds: 1_000)

    let fixture: DirectoryFixture
    let clock = MovingClock()
    let resets: PasswordResetService
    let logins: LoginService
    let outboxFile: String
    private let settings: DatabaseSettings

    init(folder: String, engine: TestEngine) throws {
        fixture = try DirectoryFixture(folder: folder, engine: engine)
        settings = fixture.settings
        try fixture.importCSV(Self.directory)
        try SMSNumbers(.testing(settings)).setAttribute(named: "mobile")
        try fixture.connection().execute("UPDATE users SET status = 'disabled' WHERE email = 'eve@example.com'")
        resets = PasswordResetService(.testing(settings, clock: clock))
        logins = LoginService(.testing(settings, clock: clock))
        outboxFile = folder + "/gateway.jsonl"
    }

    /// Makes the default profile (everyone's here) reset and log in this way.
    func useProfile(reset: ResetOptions, twoStep: TwoStep = .off) throws {
        try ProfileService(.testing(settings)).update(name: "default", resetOptions: reset, twoStep: twoStep)
    }

    func setPassword(_ email: String, _ password: String, hasher: PasswordHasher = AccountFixture.hasher) throws {
        let connection = try fixture.connection()
        let user = try #require(try DirectoryStore(connection: connection).user(email: email))
        try CredentialStore(connection: connection).setPassword(userID: user.id, hash: try hasher.hash(password, random: SystemRandom()), at: clock.now())
    }

    func credentials(_ email: String) throws -> CredentialRecord? {
        let connection = try fixture.connection()
        let user = try #require(try DirectoryStore(connection: connection).user(email: email))
        return try CredentialStore(connection: connection).credentials(userID: user.id)
    }

    /// Sends what is queued through the file gateway; returns the messages this call sent.
    func deliver() async throws -> [SentMessage] {
        let before = sent().count
        _ = try await OutboxDispatcher(.testing(settings, clock: clock))
            .dispatch(through: FileGateway(path: outboxFile, clock: clock))
        return Array(sent().dropFirst(before))
    }

    private func sent() -> [SentMessage] {
        let text = (try? String(contentsOfFile: outboxFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let fields = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return SentMessage(
                channel: fields["channel"] as? String ?? "", to: fields["to"] as? String ?? "",
                body: fields["body"] as? String ?? "", kind: fields["kind"] as? String ?? "")
        }
    }
}

/// One message as the file gateway wrote it.
struct SentMessage: Equatable {
    let channel: String
    let to: String
    let body: String
    let kind: String

    /// The code in the body, if it carries one.
    var code: String? {
        body.firstRange(of: "code is ").map { String(body[$0.upperBound...].prefix(while: \.isNumber)) }
    }
}

extension CredentialRecord {
    /// The iteration count stored in the hash.
    var iterations: Int? {
        passwordHash.flatMap { $0.split(separator: "$").dropFirst().first.flatMap { Int($0) } }
    }
}
