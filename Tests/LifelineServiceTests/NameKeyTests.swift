import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

/// One rule for "the same email, ignoring case", which the database and Swift agree on: the
/// database's NOCASE folds A–Z only, and so does every comparison in Swift.
struct NameKeyTests {
    @Test func onlyASCIILettersFold() {
        #expect(NameKey.same("ANN@Example.COM", " ann@example.com "))
        #expect(!NameKey.same("ZOË@example.com", "zoë@example.com"), "Ë is not folded, as in the database")
        #expect(NameKey.of("ZOË@Example.com") == "zoË@example.com")
        #expect(!NameKey.same("STRASSE@example.com", "straße@example.com"))
    }

    @Test(arguments: TestEngine.allCases) func theDatabaseAndTheKeyAgreeOnNonASCIIAddresses(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            let summary = try fixture.importCSV("email\nzoë@example.com\nZOË@example.com\nANN@example.com\nann@example.com\n", options: {
                var options = ImportOptions()
                options.allowPartial = true
                return options
            }())
            // The database holds the two Zoës apart and the two Anns as one, as the key says.
            #expect(summary.created == 3 && summary.rejected == 1)
            let emails = try fixture.connection().query("SELECT email FROM users ORDER BY id") { $0.string(at: 0) }
            #expect(emails == ["zoë@example.com", "ZOË@example.com", "ANN@example.com"])
            #expect(Set(emails.map(NameKey.of)).count == 3)
        }
    }

    @Test(arguments: TestEngine.allCases) func aRequestIDIsTheSameUsersOnlyAsTheDatabaseSaysSo(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            try fixture.importCSV("email,mobile\nzoë@example.com,447700900001\nZOË@example.com,447700900002\n")
            let environment = LifelineEnvironment.testing(fixture.settings)
            try SMSNumbers(environment).setAttribute(named: "mobile")
            let codes = VerificationService(environment)
            _ = try codes.request(email: "zoë@example.com", purpose: .twoStep, requestID: "app-1")
            #expect(try codes.request(email: "ZOë@EXAMPLE.com", purpose: .twoStep, requestID: "app-1").isRepeat, "ASCII case only")
            #expect(throws: VerificationFailure.requestIDReused(requestID: "app-1")) {
                _ = try codes.request(email: "ZOË@example.com", purpose: .twoStep, requestID: "app-1")
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func twoColumnsFillingOneAttributeAreRefused(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            var options = ImportOptions()
            options.columnMap = ["Work Mobile": "mobile"]
            #expect(throws: ImportFailure.duplicateColumn(path: "input.csv", name: "mobile", columns: [2, 3])) {
                try fixture.importCSV("email,Mobile,Work Mobile\nann@example.com,1,2\n", options: options)
            }
        }
    }
}
