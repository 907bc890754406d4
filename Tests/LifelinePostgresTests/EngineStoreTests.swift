import Foundation
import LifelinePostgres
import LifelineStore
import LifelineVocabulary
import LifelineTestSupport
import Testing

/// The store's rules, checked on both engines with the same calls.
@Suite struct EngineStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func addUser(_ connection: any SQLConnection, email: String, number: String?) throws -> Int64 {
        try connection.insert(
            """
            INSERT INTO users (email, display_name, created_at, updated_at, sms_status, sms_number)
            VALUES (?, ?, ?, ?, ?, ?)
            """, email, email.split(separator: "@")[0].capitalized, now, now,
            number == nil ? SMSNumberStatus.missing : SMSNumberStatus.valid, number)
    }

    @Test(arguments: TestEngine.allCases)
    func migratingAgainAppliesNothingAndTheHistoryIsSound(engine: TestEngine) throws {
        try engine.withMigratedConnection { connection in
            let migrator = try connection.dialect == .sqlite ? LifelineSchema.makeMigrator() : PostgresSchema.makeMigrator()
            #expect(try migrator.migrate(connection, at: now).isEmpty)
            let status = try migrator.status(of: connection)
            #expect(status.problems.isEmpty)
            #expect(status.pending.isEmpty)
            #expect(status.currentVersion == migrator.latestVersion)
        }
    }

    @Test(arguments: TestEngine.allCases)
    func theConsentLedgerIsAppendOnlyByTheDatabaseItself(engine: TestEngine) throws {
        try engine.withMigratedConnection { connection in
            let user = try addUser(connection, email: "ann@example.com", number: "447700900123")
            let ledger = ConsentLedger(connection: connection)
            let first = try connection.write {
                try ledger.append(
                    ConsentChange(
                        userID: user, number: "447700900123", program: .continuity, state: .pending, source: .portal,
                        actor: "ann@example.com", evidence: "portal form", at: now))
            }
            let second = try connection.write {
                try ledger.append(
                    ConsentChange(
                        userID: user, number: "447700900123", program: .continuity, state: .optedIn,
                        source: .smsKeyword, actor: "447700900123", evidence: "YES", at: now.addingTimeInterval(60)))
            }
            #expect(second > first)
            // The current state follows the ledger by the database's own trigger.
            let current = try ledger.current(userID: user, number: "447700900123", program: .continuity)
            #expect(current.state == .optedIn)
            #expect(current.ledgerID == second)
            for statement in ["UPDATE consent_ledger SET state = 'opted_out'", "DELETE FROM consent_ledger"] {
                do {
                    try connection.write { try connection.execute(statement) }
                    Issue.record("\(statement) was allowed")
                } catch let error as any SQLEngineError {
                    #expect(error.isConstraintViolation, "\(error)")
                }
            }
            #expect(try ledger.history(userID: user, program: .continuity).map(\.state) == [.pending, .optedIn])
        }
    }

    @Test(arguments: TestEngine.allCases)
    func emailsAreUniqueIgnoringCaseAndFoundInAnyCase(engine: TestEngine) throws {
        try engine.withMigratedConnection { connection in
            _ = try addUser(connection, email: "Ann.Lee@Example.com", number: nil)
            let store = DirectoryStore(connection: connection)
            #expect(try store.user(email: "ann.lee@example.com")?.email == "Ann.Lee@Example.com")
            do {
                _ = try addUser(connection, email: "ANN.LEE@example.COM", number: nil)
                Issue.record("a second user with the same email in other case was stored")
            } catch let error as any SQLEngineError {
                #expect(error.isConstraintViolation)
            }
            #expect(try store.groupID(named: "Staff") == nil)
            let group = try store.createGroup(name: "Staff", at: now)
            #expect(try store.groupID(named: "STAFF") == group)
        }
    }

    @Test(arguments: TestEngine.allCases)
    func anEventsAlertsGoToOptedInMembersOnceEach(engine: TestEngine) throws {
        try engine.withMigratedConnection { connection in
            let store = DirectoryStore(connection: connection)
            let group = try store.createGroup(name: "Staff", at: now)
            let writer = try DirectoryWriter(connection: connection)
            let ledger = ConsentLedger(connection: connection)
            var optedIn = 0
            for index in 0..<6 {
                let number = index == 5 ? nil : "4477009001\(10 + index)"
                let user = try addUser(connection, email: "user\(index)@example.com", number: number)
                try writer.addMembership(groupID: group, userID: user, at: now.epochMilliseconds)
                if let number, index % 2 == 0 {
                    try ledger.append(
                        ConsentChange(
                            userID: user, number: number, program: .continuity, state: .optedIn, source: .admin,
                            actor: "admin", evidence: "paper form", at: now))
                    optedIn += 1
                }
            }
            let events = EventStore(connection: connection)
            let event = try events.create(
                NewEvent(
                    name: "Mail down", groupID: group, kind: .unplanned, startMessage: "Hello {name}",
                    endMessage: "Over", startsAt: nil, endsAt: nil, notes: nil), at: now)
            let body = PersonalisedBody(parts: ["Hello ", ", mail is down"])
            let queued = try connection.write {
                try events.fanOut(eventID: event, groupID: group, kind: "event_start", body: body, program: .continuity, at: now)
            }
            #expect(queued == optedIn)
            let again = try connection.write {
                try events.fanOut(eventID: event, groupID: group, kind: "event_start", body: body, program: .continuity, at: now)
            }
            #expect(again == 0)
            let audience = try events.audience(groupID: group, program: .continuity)
            #expect(audience["recipient"] == optedIn)
            #expect(audience["no_number"] == 1)
            let bodies = try OutboxStore(connection: connection).messages(to: "447700900110").map(\.body)
            #expect(bodies == ["Hello User0, mail is down"])
        }
    }

    @Test(arguments: TestEngine.allCases)
    func queuedMessagesGetIncreasingIdsAndCountsByStatus(engine: TestEngine) throws {
        try engine.withMigratedConnection { connection in
            let outbox = OutboxStore(connection: connection)
            let ids = try (0..<3).map { index in
                try outbox.enqueue(
                    OutgoingMessage(
                        channel: .sms, destination: "44770090012\(index)", body: "code \(index)", kind: "code",
                        program: .verification, userID: nil, sealedBody: [1, 2, 3]), at: now)
            }
            #expect(ids == ids.sorted() && Set(ids).count == 3)
            #expect(try outbox.countsByStatus()[.queued] == 3)
        }
    }

    @Test(arguments: TestEngine.allCases)
    func aDispatchRunClaimsCodesBeforeAlertsAndRecordsWhatWasSent(engine: TestEngine) throws {
        try engine.withMigratedConnection { connection in
            let store = DirectoryStore(connection: connection)
            let group = try store.createGroup(name: "Staff", at: now)
            let writer = try DirectoryWriter(connection: connection)
            let ledger = ConsentLedger(connection: connection)
            for index in 0..<3 {
                let number = "4477009002\(10 + index)"
                let user = try addUser(connection, email: "user\(index)@example.com", number: number)
                try writer.addMembership(groupID: group, userID: user, at: now.epochMilliseconds)
                try ledger.append(
                    ConsentChange(
                        userID: user, number: number, program: .continuity, state: .optedIn, source: .admin,
                        actor: "admin", evidence: "paper form", at: now))
            }
            let events = EventStore(connection: connection)
            let event = try events.create(
                NewEvent(
                    name: "Mail down", groupID: group, kind: .unplanned, startMessage: "Mail is down",
                    endMessage: "Over", startsAt: nil, endsAt: nil, notes: nil), at: now)
            _ = try events.fanOut(
                eventID: event, groupID: group, kind: "event_start", body: PersonalisedBody(parts: ["Mail is down"]),
                program: .continuity, at: now)
            let code = try OutboxStore(connection: connection).enqueue(
                OutgoingMessage(
                    channel: .sms, destination: "447700900299", body: "code", kind: "verification_code",
                    program: .verification, userID: nil, sealedBody: [9, 9]), at: now.addingTimeInterval(1))
            let dispatch = try OutboxDispatchWriter(
                connection: connection, token: 42, alerts: AlertKinds(start: "event_start", end: "event_end"))
            let lease = now.addingTimeInterval(30)
            let claimed = try connection.write {
                try dispatch.claimDue(limit: 10, at: now.addingTimeInterval(2), leaseUntil: lease)
            }
            // The code, queued after the alerts, goes first.
            #expect(claimed.map(\.id).first == code)
            #expect(claimed.count == 4)
            #expect(claimed.first?.sealedBody == [9, 9])
            try connection.write {
                try dispatch.markSent(id: code, providerID: "SM1", provider: "twilio", maybeSent: 1, at: now.addingTimeInterval(3))
                try dispatch.markRestSent(leaseUntil: lease, provider: "kannel", at: now.addingTimeInterval(3))
            }
            #expect(try OutboxStore(connection: connection).countsByStatus()[.sent] == 4)
            let counts = try events.deliveryCounts(eventID: event)
            #expect(counts.map(\.count).reduce(0, +) == 3)
            #expect(counts.allSatisfy { $0.status == .sent && $0.maybeSent == 0 })
            let again = try connection.write {
                try dispatch.claimDue(limit: 10, at: now.addingTimeInterval(100), leaseUntil: now.addingTimeInterval(130))
            }
            #expect(again.isEmpty)
        }
    }

    @Test func aServerThatCannotBeReachedIsSaidWithItsHostAndPort() throws {
        let location = try PostgresLocation(url: "postgres://nobody@127.0.0.1:9/none?sslmode=disable&connect_timeout=2", environment: [:])
        do {
            _ = try PostgresSQLConnection.connect(to: location)
            Issue.record("connected to a closed port")
        } catch let error as PostgresEngineError {
            #expect(error.isUnreachable)
            #expect(error.message.contains("127.0.0.1:9"), "\(error.message)")
        }
    }

    @Test func aWrongPasswordIsRefusedByTheServer() throws {
        var location = try TestEngine.newPostgresDatabase()
        location.endpoints[0].password = "not-the-password"
        do {
            _ = try PostgresSQLConnection.connect(to: location)
            Issue.record("signed in with a wrong password")
        } catch let error as PostgresEngineError {
            #expect(error.sqlState == "28P01", "\(error)")
            #expect(!error.description.contains("not-the-password"))
        }
    }

    /// Every optional filter left out (a NULL bound where the server must infer its type) and
    /// no limit: each listing answers on both engines, as the API's property tests found it
    /// did not on PostgreSQL.
    @Test(arguments: TestEngine.allCases)
    func listingsWithEveryFilterLeftOutAnswer(engine: TestEngine) throws {
        try engine.withMigratedConnection { connection in
            _ = try addUser(connection, email: "ann@example.com", number: "447700900123")
            var users = 0
            try DirectoryStore(connection: connection).forEachUser(groupID: nil, status: nil) { _ in users += 1 }
            #expect(users == 1)
            var messages = 0
            try OutboxStore(connection: connection).forEachMessage(status: nil) { _ in messages += 1 }
            #expect(messages == 0)
            var listed = 0
            try ConsentLedger(connection: connection).forEachListing(
                smsAttributeID: 1, program: .continuity, groupID: nil) { _ in listed += 1 }
            #expect(listed == 1)
            #expect(try ConsentLedger(connection: connection).summary(program: .continuity, groupID: nil).values.reduce(0, +) == 1)
            #expect(try EventStore(connection: connection).events(state: nil).isEmpty)
            #expect(try ProfileStore(connection: connection).assignments(profileID: nil).isEmpty)
        }
    }

    /// A bulk load keeps every value as given, whatever it holds: tabs, newlines, backslashes
    /// and `\N` in text (COPY's own separators and NULL), NULL itself, bytes and reals.
    @Test(arguments: TestEngine.allCases)
    func aBulkInsertKeepsEveryValueAsGiven(engine: TestEngine) throws {
        try engine.withMigratedConnection { connection in
            let integer = connection.dialect == .sqlite ? "INTEGER" : "BIGINT"
            let real = connection.dialect == .sqlite ? "REAL" : "DOUBLE PRECISION"
            let blob = connection.dialect == .sqlite ? "BLOB" : "BYTEA"
            try connection.execute("CREATE TEMP TABLE loaded (n \(integer), t TEXT, r \(real), b \(blob))")
            var rows: [[SQLValue]] = []
            for index in 0..<1_200 {
                let text = SQLValue.text("a\tb\nc\\d\r\\N é \(index)")
                let number: SQLValue = index % 3 == 0 ? .null : .real(Double(index) / 7)
                let bytes: SQLValue = index % 2 == 0 ? .blob(Data([0, 9, 10, 92, 255, UInt8(index % 256)])) : .null
                rows.append([.integer(Int64(index) - 600), text, number, bytes])
            }
            try connection.bulkInsert(into: "loaded", columns: ["n", "t", "r", "b"], rows: rows)
            let read = try connection.query("SELECT n, t, r, b FROM loaded ORDER BY n") { row in
                (0..<Int32(4)).map { row.value(at: $0) }
            }
            #expect(read == rows)
        }
    }
}
