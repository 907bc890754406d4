import Foundation
import LifelineStore
import LifelineTestSupport
import Synchronization
import Testing

@testable import LifelineService

/// A directory with active users, a disabled one, one without a number and two sharing a number.
struct VerificationFixture {
    static let directory = """
        email,name,mobile
        ann@example.com,Ann,447700900001
        bob@example.com,Bob,447700900002
        cat@example.com,Cat,447700900002
        dan@example.com,Dan,
        eve@example.com,Eve,447700900005

        """
    static let secret = Array("a-test-secret-of-32-bytes-length".utf8)
    static let keys = try! SecretKeys(secret: secret)

    let fixture: DirectoryFixture
    let clock = MovingClock()
    let service: VerificationService
    let outboxFile: String

    init(folder: String, engine: TestEngine, secret: [UInt8] = Self.secret, random: any RandomSource = SystemRandom()) throws {
        fixture = try DirectoryFixture(folder: folder, engine: engine)
        try fixture.importCSV(Self.directory)
        try SMSNumbers(.testing(fixture.settings)).setAttribute(named: "mobile")
        try fixture.connection().execute("UPDATE users SET status = 'disabled' WHERE email = 'eve@example.com'")
        service = VerificationService(.testing(fixture.settings, clock: clock, secret: secret, random: random))
        outboxFile = folder + "/phone.jsonl"
    }

    /// Sends what is queued to the file gateway and returns the codes the phone received, in order.
    func deliver(secret: [UInt8] = Self.secret) async throws -> [String] {
        _ = try await OutboxDispatcher(.testing(fixture.settings, clock: clock, secret: secret))
            .dispatch(through: FileGateway(path: outboxFile, clock: clock))
        return phoneCodes()
    }

    func phoneCodes() -> [String] {
        let text = (try? String(contentsOfFile: outboxFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.firstRange(of: "code is ") else { return nil }
            return String(line.suffix(from: range.upperBound).prefix(while: \.isNumber))
        }
    }

    func verificationMessages() throws -> Int {
        try fixture.connection().queryFirst("SELECT count(*) FROM outbox WHERE program = 'verification'") { Int($0.int64(at: 0)) } ?? -1
    }
}

struct VerificationServiceTests {
    @Test(arguments: TestEngine.allCases) func oneRequestOneSMSAndARepeatedRequestIDSendsNothing(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try VerificationFixture(folder: folder, engine: engine)
            let first = try setup.service.request(email: "ann@example.com", purpose: .passwordReset, requestID: "portal-1")
            #expect(first == VerificationRequestOutcome(requestID: "portal-1", status: .sent, retryAfter: nil, isRepeat: false))
            let again = try setup.service.request(email: "ANN@example.com", purpose: .passwordReset, requestID: "portal-1")
            #expect(again.isRepeat && again.status == .sent)
            #expect(try setup.verificationMessages() == 1)
            #expect(throws: VerificationFailure.requestIDReused(requestID: "portal-1")) {
                try setup.service.request(email: "bob@example.com", purpose: .passwordReset, requestID: "portal-1")
            }
            let codes = try await setup.deliver()
            #expect(codes.count == 1 && codes[0].count == 6)
            #expect(try setup.service.verify(requestID: "portal-1", code: codes[0]) == .approved)
            #expect(try setup.service.verify(requestID: "portal-1", code: codes[0]) == .alreadyUsed)
            let afterUse = try setup.service.request(email: "ann@example.com", purpose: .passwordReset, requestID: "portal-1")
            #expect(afterUse.isRepeat && afterUse.status == .sent, "the first outcome, not the request's state")
        }
    }

    @Test(arguments: TestEngine.allCases) func aRepeatedRequestIDAnswersItsFirstOutcomeAfterANewerRequestSupersededIt(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try VerificationFixture(folder: folder, engine: engine)
            _ = try setup.service.request(email: "ann@example.com", purpose: .twoStep, requestID: "A")
            _ = try setup.service.request(email: "ann@example.com", purpose: .twoStep, requestID: "B")
            #expect(try setup.service.status(requestID: "A")?.state == .superseded)
            let repeated = try setup.service.request(email: "ann@example.com", purpose: .twoStep, requestID: "A")
            #expect(repeated == VerificationRequestOutcome(requestID: "A", status: .sent, retryAfter: nil, isRepeat: true))
            #expect(try setup.verificationMessages() == 2)
        }
    }

    @Test(arguments: TestEngine.allCases) func noCodeForUnknownDisabledOrNumberlessUsers(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try VerificationFixture(folder: folder, engine: engine)
            for email in ["nobody@example.com", "eve@example.com", "dan@example.com"] {
                let outcome = try setup.service.request(email: email, purpose: .twoStep)
                #expect(outcome.status == .rejected)
                // Answered like a live code nobody knows, so a verify cannot tell real emails apart.
                #expect(try setup.service.verify(requestID: outcome.requestID, code: "000000") == .incorrect(attemptsLeft: 4))
                for _ in 1...4 { _ = try setup.service.verify(requestID: outcome.requestID, code: "000000") }
                #expect(try setup.service.verify(requestID: outcome.requestID, code: "000000") == .maxAttemptsReached)
                setup.clock.advance(by: 10 * 60)
                #expect(try setup.service.verify(requestID: outcome.requestID, code: "000000") == .expired)
                setup.clock.advance(by: -10 * 60)
            }
            #expect(try setup.verificationMessages() == 0)
            #expect(try setup.service.verify(requestID: "never-asked", code: "123456") == .notFound)
        }
    }

    @Test(arguments: TestEngine.allCases) func aNewRequestSupersedesTheLiveCode(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try VerificationFixture(folder: folder, engine: engine)
            _ = try setup.service.request(email: "ann@example.com", purpose: .passwordReset, requestID: "a")
            _ = try setup.service.request(email: "ann@example.com", purpose: .twoStep, requestID: "other-purpose")
            _ = try setup.service.request(email: "ann@example.com", purpose: .passwordReset, requestID: "b")
            let codes = try await setup.deliver()
            #expect(try setup.service.verify(requestID: "a", code: codes[0]) == .superseded)
            #expect(try setup.service.verify(requestID: "other-purpose", code: codes[1]) == .approved, "other purposes are untouched")
            #expect(try setup.service.verify(requestID: "b", code: codes[2]) == .approved)
        }
    }

    @Test(arguments: TestEngine.allCases) func aCodeExpiresAtExactlyItsLifetime(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try VerificationFixture(folder: folder, engine: engine)
            _ = try setup.service.request(email: "ann@example.com", purpose: .passwordReset, requestID: "early")
            _ = try setup.service.request(email: "bob@example.com", purpose: .passwordReset, requestID: "late")
            let codes = try await setup.deliver()
            setup.clock.advance(by: 10 * 60 - 0.001)
            #expect(try setup.service.verify(requestID: "early", code: codes[0]) == .approved)
            setup.clock.advance(by: 0.001)
            #expect(try setup.service.verify(requestID: "late", code: codes[1]) == .expired)
            #expect(try setup.service.status(requestID: "late")?.state == .expired)
        }
    }

    @Test(arguments: TestEngine.allCases) func theSixthAttemptIsRefusedEvenWithTheRightCode(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try VerificationFixture(folder: folder, engine: engine)
            _ = try setup.service.request(email: "ann@example.com", purpose: .passwordReset, requestID: "r")
            let code = try await setup.deliver()[0]
            let wrong = code == "000000" ? "111111" : "000000"
            for left in (0..<5).reversed() {
                #expect(try setup.service.verify(requestID: "r", code: wrong) == .incorrect(attemptsLeft: left))
            }
            #expect(try setup.service.verify(requestID: "r", code: code) == .maxAttemptsReached)
            #expect(try setup.service.status(requestID: "r")?.state == .locked)
        }
    }

    @Test(arguments: TestEngine.allCases) func ratesAreLimitedPerUserAndPurposeAndPerNumber(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try VerificationFixture(folder: folder, engine: engine)
            for _ in 0..<5 { #expect(try setup.service.request(email: "ann@example.com", purpose: .passwordReset).status == .sent) }
            let limited = try setup.service.request(email: "ann@example.com", purpose: .passwordReset)
            #expect(limited.status == .rateLimited)
            #expect(limited.retryAfter == setup.clock.now().addingTimeInterval(10 * 60))
            #expect(try setup.verificationMessages() == 5)
            setup.clock.advance(by: 10 * 60)
            #expect(try setup.service.request(email: "ann@example.com", purpose: .passwordReset).status == .sent)

            // Bob and Cat share a number: ten codes to it in an hour, whoever asks.
            for purpose in [VerificationPurpose.passwordReset, .twoStep] {
                for email in ["bob@example.com", "cat@example.com"] where try setup.verificationMessages() < 16 {
                    for _ in 0..<5 where try setup.verificationMessages() < 16 {
                        _ = try setup.service.request(email: email, purpose: purpose)
                    }
                }
            }
            #expect(try setup.verificationMessages() == 16)
            let shared = try setup.service.request(email: "cat@example.com", purpose: .twoStep)
            #expect(shared.status == .rateLimited)
            #expect(try setup.service.status(requestID: shared.requestID)?.reason == "10 messages to this number in an hour")
        }
    }

    @Test(arguments: TestEngine.allCases) func theCodeIsNeverInTheDatabaseOrTheStatusInClear(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try VerificationFixture(folder: folder, engine: engine)
            let connection = try setup.fixture.connection()  // held open, so SQLite's WAL stays on disk
            _ = try setup.service.request(email: "ann@example.com", purpose: .passwordReset, requestID: "secret-check")
            func assertAbsent(_ code: String) throws {
                for (place, bytes) in try setup.fixture.everythingStored() {
                    #expect(bytes.range(of: Data(code.utf8)) == nil, "\(place) contains the code")
                }
                let view = try #require(try setup.service.status(requestID: "secret-check"))
                #expect(!"\(view)".contains(code))
            }
            let code = try await setup.deliver()[0]
            try assertAbsent(code)
            #expect(try connection.queryFirst("SELECT sealed_body IS NULL FROM outbox") { $0.int64(at: 0) } == 1, "blanked once sent")
            _ = try setup.service.verify(requestID: "secret-check", code: code)
            try assertAbsent(code)
            connection.close()
        }
    }

    @Test(arguments: TestEngine.allCases) func rotatingTheSecretInvalidatesLiveCodesAndNothingElse(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try VerificationFixture(folder: folder, engine: engine)
            _ = try setup.service.request(email: "ann@example.com", purpose: .passwordReset, requestID: "sent-before")
            let code = try await setup.deliver()[0]
            _ = try setup.service.request(email: "bob@example.com", purpose: .passwordReset, requestID: "queued-before")
            try setup.fixture.connection().execute(
                "INSERT INTO outbox (channel, destination, body, kind, program, next_attempt_at, created_at, updated_at) VALUES ('sms', '447700900009', 'hello', 'test', 'service', 0, ?1, ?1)",
                setup.clock.now())

            let rotatedSecret = Array("another-secret-of-32-bytes-long!".utf8)
            let rotated = try SecretKeys(secret: rotatedSecret)
            #expect(rotated.keyID != VerificationFixture.keys.keyID)
            let service = VerificationService(.testing(setup.fixture.settings, clock: setup.clock, secret: rotatedSecret))
            #expect(try service.verify(requestID: "sent-before", code: code) == .expired)
            _ = try await setup.deliver(secret: rotatedSecret)
            let messages = try setup.fixture.connection().query("SELECT program, status, last_error FROM outbox ORDER BY id") {
                ($0.string(at: 0), $0.string(at: 1), try $0.get(2, as: String?.self))
            }
            #expect(messages[1].0 == "verification" && messages[1].1 == "failed" && messages[1].2 == OutboxDispatcher.unopenedReason)
            #expect(messages[2].0 == "service" && messages[2].1 == "sent", "other messages still go")
            _ = try service.request(email: "ann@example.com", purpose: .passwordReset, requestID: "after")
            let after = try await setup.deliver(secret: rotatedSecret).last!
            #expect(try service.verify(requestID: "after", code: after) == .approved)
        }
    }

    @Test(arguments: TestEngine.allCases) func purgeDeletesOnlyWhatEndedLongEnoughAgo(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try VerificationFixture(folder: folder, engine: engine)
            _ = try setup.service.request(email: "ann@example.com", purpose: .passwordReset, requestID: "old-used")
            _ = try setup.service.request(email: "nobody@example.com", purpose: .passwordReset, requestID: "old-rejected")
            let code = try await setup.deliver()[0]
            _ = try setup.service.verify(requestID: "old-used", code: code)
            setup.clock.advance(by: 25 * 3600)
            _ = try setup.service.request(email: "bob@example.com", purpose: .passwordReset, requestID: "live")
            _ = try setup.service.request(email: "cat@example.com", purpose: .twoStep, requestID: "recent-used")
            let codes = try await setup.deliver()
            _ = try setup.service.verify(requestID: "recent-used", code: codes.last!)

            let summary = try setup.service.purge(olderThan: .seconds(24 * 3600), batchSize: 1)
            #expect(summary.requestsDeleted == 2 && summary.messagesDeleted == 1 && summary.batches == 3)
            #expect(try setup.service.status(requestID: "old-used") == nil && setup.service.status(requestID: "old-rejected") == nil)
            #expect(try setup.service.status(requestID: "live")?.state == .sent)
            #expect(try setup.service.status(requestID: "recent-used")?.state == .approved)
            #expect(try setup.verificationMessages() == 2)
            #expect(try setup.service.verify(requestID: "live", code: codes[codes.count - 2]) == .approved, "live codes survive")
        }
    }

    @Test(arguments: TestEngine.allCases) func purgeDeletesInChunksAcrossTransactionsUpToTheBatchSize(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try VerificationFixture(folder: folder, engine: engine)
            let ended = 2 * PurgeTransactionBudget.chunkRows + 50
            for index in 0..<ended {
                _ = try setup.service.request(email: "nobody\(index)@example.com", purpose: .passwordReset, requestID: "gone-\(index)")
            }
            setup.clock.advance(by: 25 * 3600)
            _ = try setup.service.request(email: "bob@example.com", purpose: .passwordReset, requestID: "live")

            let summary = try setup.service.purge(olderThan: .seconds(24 * 3600), batchSize: 120)
            #expect(summary.requestsDeleted == ended)
            #expect(summary.largestBatch <= 120 && summary.batches >= 3, "no transaction deletes more than the batch size")
            #expect(try setup.service.status(requestID: "gone-\(ended - 1)") == nil)
            #expect(try setup.service.status(requestID: "live")?.state == .sent)
        }
    }

    @Test(arguments: TestEngine.allCases) func theSameRequestIDFromManyThreadsQueuesOneSMS(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try VerificationFixture(folder: folder, engine: engine)
            let settings = setup.fixture.settings
            let outcomes = Mutex<[VerificationRequestOutcome]>([])
            // The threads race on their own threads, not the cooperative pool's.
            await onOwnThread {
                DispatchQueue.concurrentPerform(iterations: 8) { _ in
                    if let outcome = try? VerificationService(.testing(settings))
                        .request(email: "ann@example.com", purpose: .twoStep, requestID: "double-click")
                    {
                        outcomes.withLock { $0.append(outcome) }
                    }
                }
            }
            let all = outcomes.withLock { $0 }
            #expect(all.count == 8 && all.filter { !$0.isRepeat }.count == 1)
            #expect(try setup.verificationMessages() == 1)
        }
    }

    @Test func keyFilesAreCreatedOnceWithOwnerOnlyPermissions() throws {
        try withTemporaryDirectory { folder in
            let database = folder + "/x.db"
            #expect(try SecretSource.keyFile(besideDatabase: database).keys(create: false, random: SystemRandom()) == nil)
            let created = try #require(try SecretSource.keyFile(besideDatabase: database).keys(create: true, random: SystemRandom()))
            let again = try #require(try SecretSource.keyFile(besideDatabase: database).keys(create: true, random: SystemRandom()))
            #expect(created.keyID == again.keyID)
            let mode = try FileManager.default.attributesOfItem(atPath: database + ".key")[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }

    // Four `codes request` processes on a new database once met a key file that another had
    // created and not yet written: one read it empty and failed, and one that lost the race
    // could go on with a secret of its own that was never stored.
    @Test(.tags(.slow), .skippedWhenQuick) func processesRacingToCreateTheKeyFileAllGetTheStoredKey() async throws {
        try await withTemporaryDirectory { folder in
            for round in 0..<40 {
                let database = folder + "/race\(round).db"
                let results = Mutex<[Result<String, any Error>]>([])
                await onOwnThread {
                    DispatchQueue.concurrentPerform(iterations: 8) { _ in
                        let result = Result { try #require(try SecretSource.keyFile(besideDatabase: database).keys(create: true, random: SystemRandom())).keyID }
                        results.withLock { $0.append(result) }
                    }
                }
                let stored = try #require(try SecretSource.keyFile(besideDatabase: database).keys(create: false, random: SystemRandom()))
                for result in results.withLock({ $0 }) {
                    switch result {
                    case .success(let keyID): #expect(keyID == stored.keyID, "round \(round)")
                    case .failure(let error): Issue.record("round \(round): \(error)")
                    }
                }
                let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasSuffix(".key") }
                #expect(leftovers.isEmpty, "no temporary files left: \(leftovers)")
            }
        }
    }
}

/// Ids that name a message to a provider (its idempotency key) are never given twice.
struct NeverReusedIDTests {
    @Test(arguments: TestEngine.allCases) func aMessageAfterAPurgeNeverTakesAPurgedIDAndItsReceiptNeverMatches(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try VerificationFixture(folder: folder, engine: engine)
            _ = try setup.service.request(email: "ann@example.com", purpose: .twoStep, requestID: "first")
            _ = try await setup.deliver()
            let outbox = { try setup.fixture.connection().query("SELECT id FROM outbox ORDER BY id") { $0.int64(at: 0) } }
            let purged = try #require(try outbox().last)
            setup.clock.advance(by: 25 * 3600)
            _ = try setup.service.purge(olderThan: .seconds(24 * 3600), batchSize: 100)
            #expect(try outbox().isEmpty)

            _ = try setup.service.request(email: "bob@example.com", purpose: .twoStep, requestID: "second")
            let next = try #require(try outbox().last)
            #expect(next > purged, "lifeline-\(next) must not repeat lifeline-\(purged)")
            #expect(throws: (any Error).self) {
                _ = try OutboxQueries(.testing(setup.fixture.settings)).recordReceipt(
                    reference: String(purged), status: .delivered, error: nil)
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func theLedgerRefusesAnInsertThatReusesAnIDSoReplaceCannotRewriteIt(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try VerificationFixture(folder: folder, engine: engine)
            _ = try ConsentService(.testing(setup.fixture.settings)).recordAdminDecision(
                email: "ann@example.com", state: .optedOut, evidence: "form", actor: "admin")
            let connection = try setup.fixture.connection()
            // Each engine's way to write a row again under its id (PostgreSQL's ids are
            // GENERATED ALWAYS: only an explicit override even names one).
            let (rewrite, override, upsert, protection) = switch engine {
            case .sqlite: ("REPLACE INTO", "", "", "consent_ledger_ids_are_never_reused")
            case .postgres:
                ("INSERT INTO", "OVERRIDING SYSTEM VALUE", "ON CONFLICT (id) DO UPDATE SET state = excluded.state",
                 "consent_ledger_is_append_only")
            }
            let error = #expect(throws: (any Error).self) {
                try connection.execute(
                    """
                    \(rewrite) consent_ledger (id, user_id, number, program, state, source, actor, evidence, recorded_at) \(override)
                    SELECT id, user_id, number, program, 'opted_in', source, actor, evidence, recorded_at FROM consent_ledger \(upsert)
                    """)
            }
            #expect((error as? any SQLEngineError)?.isConstraintViolation == true, "\(String(describing: error))")
            #expect(try connection.queryFirst("SELECT state FROM consent_ledger") { $0.string(at: 0) } == "opted_out")

            try connection.execute("DROP TRIGGER \(protection)" + (engine == .postgres ? " ON consent_ledger" : ""))
            let report = try DatabaseMaintenance(.testing(setup.fixture.settings)).diagnose()
            let check = try #require(report.checks.first { $0.name == "consent ledger protection" })
            #expect(!check.isPassing && check.detail.contains(protection))
        }
    }
}

/// One format for the secret, a key file only its owner can read, and no silent new key.
struct SecretHandlingTests {
    @Test func theKeyFilesHexInTheEnvironmentGivesTheSameKeysAndRawTextIsRefused() throws {
        try withTemporaryDirectory { folder in
            let fromFile = try #require(try SecretSource.keyFile(besideDatabase: folder + "/x.db").keys(create: true, random: SystemRandom()))
            let hex = try String(contentsOfFile: folder + "/x.db.key", encoding: .utf8)
            #expect(try SecretSource.value(hex).keys(create: false, random: SystemRandom())?.keyID == fromFile.keyID)
            #expect(throws: SecretFailure.badFormat(origin: "LIFELINE_SECRET", length: 32)) {
                try SecretSource.value("a-test-secret-of-32-bytes-length").keys(create: false, random: SystemRandom())
            }
        }
    }

    @Test func aKeyFileOthersCanReadIsRefused() throws {
        try withTemporaryDirectory { folder in
            let source = SecretSource.keyFile(besideDatabase: folder + "/x.db")
            _ = try source.keys(create: true, random: SystemRandom())
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder + "/x.db.key")
            #expect(throws: SecretFailure.keyFileTooOpen(path: folder + "/x.db.key", mode: "644")) {
                try source.keys(create: false, random: SystemRandom())
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func aDeletedKeyFileIsNotSilentlyReplacedWhileCodesDependOnItAndRotationSaysWhatItInvalidates(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try VerificationFixture(folder: folder, engine: engine)
            var environment = LifelineEnvironment.testing(setup.fixture.settings, clock: setup.clock)
            let keyFile = folder + "/lifeline.key"
            environment.secret = .keyFile(path: keyFile)
            let codes = VerificationService(environment)
            _ = try codes.request(email: "ann@example.com", purpose: .twoStep, requestID: "before")
            try FileManager.default.removeItem(atPath: keyFile)

            #expect(throws: SecretFailure.keyFileMissingWhileInUse(
                path: keyFile, liveCodes: 1, sealedMessages: 1)) {
                try codes.request(email: "bob@example.com", purpose: .twoStep)
            }
            #expect(!FileManager.default.fileExists(atPath: keyFile))
            #expect(try codes.sealedMaterial() == (1, 1))

            let keyID = try codes.rotateKey()
            let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int
            #expect(mode == 0o600 && keyID.count == 12)
            #expect(try codes.request(email: "bob@example.com", purpose: .twoStep).status == .sent)
            #expect(try codes.verify(requestID: "before", code: "000000") == .expired, "made with the old key")
        }
    }
}

/// A long-running dispatcher (the server's) made before the first code created the key file.
struct LongLivedDispatcherTests {
    @Test(arguments: TestEngine.allCases) func aDispatcherMadeBeforeTheKeyExistedStillOpensTheCodesMadeAfter(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try VerificationFixture(folder: folder, engine: engine)
            var environment = LifelineEnvironment.testing(setup.fixture.settings, clock: setup.clock)
            environment.secret = .keyFile(path: folder + "/lifeline.key")
            let dispatcher = OutboxDispatcher(environment)
            #expect(try VerificationService(environment).request(email: "ann@example.com", purpose: .twoStep).status == .sent)
            let summary = try await dispatcher.dispatch(through: FileGateway(path: folder + "/phone.jsonl", clock: setup.clock))
            #expect(summary.sent == 1 && summary.failed == 0, "\(summary)")
        }
    }
}
