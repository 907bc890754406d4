import Crypto
import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

/// One rule for "this number can receive an SMS": the number report, the event preview, the
/// consent summary and the fan-out all give each number the same verdict.
struct SMSNumberRuleTests {
    /// Each value, what `sms verify-numbers` calls it, and the number sent to (nil: none).
    static let numbers: [(email: String, value: String, verdict: String, sentTo: String?)] = [
        ("valid@example.com", "447700900001", "valid", "447700900001"),
        ("short@example.com", "4477009001", "invalid", nil),  // UK mobile one digit short: the old shape test passed it
        ("unknown@example.com", "9991234567", "invalid", nil),  // +999 is not an assigned calling code
        ("zero@example.com", "07700900003", "invalid", nil),  // national, with no country to read it in
        ("letters@example.com", "44770090000A", "invalid", nil),
        ("spaced@example.com", "+44 7700 900005", "deliverable", "447700900005"),  // names its country
        ("unmarked@example.com", "44 7700 900006", "fixable", nil),  // does not: maybe not a UK number
        ("none@example.com", "", "missing", nil),
    ]

    /// The digits of a value, as an earlier rule could have recorded consent for them.
    static func digits(_ value: String) -> String { value.filter(\.isNumber) }

    private func prepared(_ folder: String, engine: TestEngine) throws -> (DirectoryFixture, LifelineEnvironment) {
        let fixture = try DirectoryFixture(folder: folder, engine: engine)
        let rows = Self.numbers.map { "\($0.email),\($0.value),Staff" }.joined(separator: "\n")
        try fixture.importCSV("email,mobile,groups\n\(rows)\n")
        let environment = LifelineEnvironment.testing(fixture.settings)
        try SMSNumbers(environment).setAttribute(named: "mobile")
        // Everyone is opted in for the digits of their value, as an earlier rule could have
        // recorded: the audience must still never reach a number the report does not call
        // valid or deliverable.
        let connection = try fixture.connection()
        try connection.write {
            let ledger = ConsentLedger(connection: connection)
            for (email, written, _, _) in Self.numbers {
                let value = Self.digits(written)
                guard value.count >= 7, value.first != "0", !written.contains("A") else { continue }
                let user = try #require(try DirectoryStore(connection: connection).user(email: email))
                _ = try ledger.append(
                    ConsentChange(
                        userID: user.id, number: value, program: ConsentService.program, state: .optedIn, source: .admin,
                        actor: "test", evidence: "legacy", at: Date()))
            }
        }
        return (fixture, environment)
    }

    @Test(arguments: TestEngine.allCases) func theReportThePreviewTheSummaryAndTheFanOutAgreeOnEveryNumber(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let (fixture, environment) = try prepared(folder, engine: engine)
            var reported: [String: String] = [:]
            let summary = try SMSNumbers(environment).verify(defaultRegion: nil, fix: false) {
                reported[$0.email] = $0.verdict.name
            }
            #expect(reported == Dictionary(uniqueKeysWithValues: Self.numbers.map { ($0.email, $0.verdict) }))

            let events = EventService(environment)
            let id = try events.create(
                EventDraft(name: "Outage", group: "Staff", startMessage: "Mail is down.", endMessage: "Mail is back."), by: "test")
            let preview = try events.preview(id: id)
            #expect(preview.recipients == summary.valid + summary.deliverable)
            #expect(preview.skipped["invalid_number"] == summary.invalid)
            #expect(preview.skipped["fixable_number"] == summary.fixable)
            #expect(preview.skipped["no_number"] == summary.missing)

            let consent = try ConsentService(environment).summary(group: "Staff")
            #expect(consent.optedIn == summary.valid + summary.deliverable)
            #expect(consent.noValidNumber == summary.users - summary.valid - summary.deliverable)

            #expect(try events.start(id: id, by: "test").queued == summary.valid + summary.deliverable)
            let destinations = try fixture.connection().query("SELECT destination FROM outbox ORDER BY destination") {
                $0.string(at: 0)
            }
            let sendable = Self.numbers.compactMap(\.sentTo).sorted()
            #expect(destinations == sendable, "an alert goes to every long form the report sends to, and nowhere else")
        }
    }

    @Test(arguments: TestEngine.allCases) func aCodeGoesOnlyToANumberTheReportCallsValid(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let (_, environment) = try prepared(folder, engine: engine)
            let codes = VerificationService(environment)
            for (email, _, _, sentTo) in Self.numbers {
                let outcome = try codes.request(email: email, purpose: .twoStep)
                #expect((outcome.status == .sent) == (sentTo != nil), "\(email): \(outcome.status)")
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func fixingANumberMakesItDeliverableAndChangingTheAttributeJudgesEveryoneAgain(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let (fixture, environment) = try prepared(folder, engine: engine)
            let fixed = try SMSNumbers(environment).verify(defaultRegion: nil, fix: true, report: nil)
            #expect(fixed.fixed == 2)
            let stored = { (email: String) throws -> StoredSMSNumber? in
                let connection = try fixture.connection()
                let user = try #require(try DirectoryStore(connection: connection).user(email: email))
                return try SMSNumberStore(connection: connection).stored(userID: user.id)
            }
            #expect(try stored("spaced@example.com") == StoredSMSNumber(status: .valid, number: "447700900005", note: nil))
            #expect(try stored("unmarked@example.com") == StoredSMSNumber(status: .valid, number: "447700900006", note: nil))
            #expect(try stored("short@example.com")?.status == .invalid)

            try fixture.importCSV("email,pager\nvalid@example.com,12\n")
            try SMSNumbers(environment).setAttribute(named: "pager")
            #expect(try stored("valid@example.com") == StoredSMSNumber(status: .invalid, number: nil, note: "too short"))
            #expect(try stored("spaced@example.com") == .missing)
        }
    }

    @Test(arguments: TestEngine.allCases) func theDefaultCountryMakesNationalNumbersDeliverableEverywhereANumberArrives(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let (fixture, environment) = try prepared(folder, engine: engine)
            let stored = { (email: String) throws -> StoredSMSNumber? in
                let connection = try fixture.connection()
                let user = try #require(try DirectoryStore(connection: connection).user(email: email))
                return try SMSNumberStore(connection: connection).stored(userID: user.id)
            }
            #expect(try stored("zero@example.com")?.status == .invalid)
            // Setting it judges the stored numbers again, at once.
            try SettingsService(environment).set("sms.default_country", to: "44")
            #expect(try SettingsService(environment).list().first { $0.key == "sms.default_country" }?.value == "GB")
            #expect(
                try stored("zero@example.com")
                    == StoredSMSNumber(status: .valid, number: "447700900003", note: SMSNumberRule.notLongFormatNote))
            // An import reads national numbers in it too, and so does the report.
            try fixture.importCSV("email,mobile\nnew@example.com,07700 900009\n")
            #expect(try stored("new@example.com")?.number == "447700900009")
            var verdicts: [String: PhoneNumberVerdict] = [:]
            _ = try SMSNumbers(environment).verify(defaultRegion: nil, fix: false) { verdicts[$0.email] = $0.verdict }
            #expect(verdicts["new@example.com"] == .deliverable("447700900009"))
            // Unset, they are refused again.
            #expect(try SettingsService(environment).unset("sms.default_country"))
            #expect(try stored("new@example.com")?.status == .invalid)
            #expect(throws: SettingsFailure.invalidValue(key: "sms.default_country", value: "XX", rule: "a country's ISO code (GB) or calling code (44)")) {
                try SettingsService(environment).set("sms.default_country", to: "XX")
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func aReimportThatChangesTheNumberJudgesItAgain(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let (fixture, environment) = try prepared(folder, engine: engine)
            try fixture.importCSV("email,mobile\nshort@example.com,447700900002\nvalid@example.com,\n")
            let listings = try ConsentService(environment).status(of: "447700900002")
            #expect(listings.map(\.email) == ["short@example.com"])
            #expect(try ConsentService(environment).status(of: "447700900001").isEmpty)
        }
    }

    @Test(arguments: TestEngine.allCases) func aDatabaseJudgedByAnotherRuleIsRefusedUntilMigrateJudgesItAgain(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let (fixture, environment) = try prepared(folder, engine: engine)
            let connection = try fixture.connection()
            try connection.execute("UPDATE settings SET value = 'old' WHERE key = 'sms.rule_version'")
            try connection.execute("UPDATE users SET sms_status = 'missing', sms_number = NULL")
            #expect(throws: NumbersNotJudged.self) { _ = try ConsentService(environment).summary(group: nil) }
            let outcome = try DatabaseMaintenance(environment).migrate(backup: false)
            #expect(outcome.applied.isEmpty && outcome.numbersJudged == Self.numbers.count)
            #expect(try ConsentService(environment).summary(group: nil).optedIn == 2)
        }
    }

    @Test func migratingADatabaseFromBeforeTheStoredVerdictsJudgesEveryUser() throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/v6.db"
            let connection = try SQLiteConnection(path: path)
            try SchemaMigrator(migrations: Array(LifelineSchema.migrations.prefix(6))).migrate(connection, at: Date())
            try connection.executeScript(
                """
                INSERT INTO users (id, email, created_at, updated_at) VALUES (1, 'ann@example.com', 0, 0),
                    (2, 'bob@example.com', 0, 0), (3, 'cat@example.com', 0, 0);
                INSERT INTO attribute_definitions (id, name, source, created_at) VALUES (1, 'mobile', 'import', 0);
                INSERT INTO user_attributes VALUES (1, 1, '447700900001', 0), (2, 1, '4477009001', 0);
                INSERT INTO settings VALUES ('sms.attribute', 'mobile', 0);
                """)
            connection.close()
            let environment = LifelineEnvironment.testing(DatabaseSettings(path: path))
            #expect(throws: SchemaNotCurrent.self) { _ = try ConsentService(environment).summary(group: nil) }
            let outcome = try DatabaseMaintenance(environment).migrate(backup: true)
            #expect(outcome.fromVersion == 6 && outcome.numbersJudged == 3)
            let backup = try #require(outcome.backupPath)
            #expect(FileManager.default.fileExists(atPath: backup))
            let stored = try SQLiteConnection(path: path).query("SELECT sms_status, sms_number FROM users ORDER BY id") {
                "\($0.string(at: 0)) \($0.isNull(at: 1) ? "-" : $0.string(at: 1))"
            }
            #expect(stored == ["valid 447700900001", "invalid -", "missing -"])
            #expect(try DatabaseMaintenance(environment).migrate(backup: true).numbersJudged == nil, "once")
        }
    }

    /// The rule's version goes with the data it judges with: changing the calling-code or type
    /// tables without a new version would leave databases with verdicts the binary no longer makes.
    @Test func theRuleVersionChangesWithItsData() throws {
        func digest(_ name: String) throws -> String {
            let data = try #require(ReferenceData.text(of: name))
            return SHA256.hash(data: Array(data.utf8)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        }
        let regions = try digest("phone_regions.tsv"), types = try digest("phone_types.tsv")
        let judgedWith = [
            "1": ["18411e4e91267c880b6aaeb41da7e547dda2b19b9bc914d205ad66d027e84ef7"],
            "2": ["18411e4e91267c880b6aaeb41da7e547dda2b19b9bc914d205ad66d027e84ef7"],
            "3": [
                "18411e4e91267c880b6aaeb41da7e547dda2b19b9bc914d205ad66d027e84ef7",
                "6dd50b62955a00f49462844a6fa9f952d1a407747bf2b8d8e33f542d1c9c4fb2",
            ],
            "4": [
                "18411e4e91267c880b6aaeb41da7e547dda2b19b9bc914d205ad66d027e84ef7",
                "6dd50b62955a00f49462844a6fa9f952d1a407747bf2b8d8e33f542d1c9c4fb2",
            ],
        ]
        #expect(
            judgedWith[SMSNumberRule.version] == [regions, types],
            "the data is now \([regions, types]): bump SMSNumberRule.version and record the new digests here")
    }
}
