import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

struct SMSNumbersTests {
    private let people = """
        email,mobile
        a@example.com,447700900123
        b@example.com,+44 7700 900123
        c@example.com,07700 900125
        d@example.com,
        e@example.com,call me
        f@example.com,+1 (415) 555-0100
        g@example.com,"  447700900777 "

        """

    private func verify(_ fixture: DirectoryFixture, region: String? = nil, fix: Bool = false) throws -> (NumberCheckSummary, [NumberCheck]) {
        var rows: [NumberCheck] = []
        let summary = try SMSNumbers(.testing(fixture.settings)).verify(
            defaultRegion: try region.map(SMSNumbers.region(named:)), fix: fix) { rows.append($0) }
        return (summary, rows)
    }

    @Test(arguments: TestEngine.allCases) func attributeMustExistAndTheErrorListsTheOthers(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            try fixture.importCSV(people)
            let numbers = SMSNumbers(.testing(fixture.settings))
            #expect(try numbers.attribute() == nil)
            #expect(throws: DirectoryFailure.attributeNotFound(name: "phone", known: ["mobile"])) {
                try numbers.setAttribute(named: "phone")
            }
            #expect(throws: DirectoryFailure.noSMSAttribute) { _ = try verify(fixture) }
            try numbers.setAttribute(named: "MOBILE")
            #expect(try numbers.attribute()?.name == "mobile")
        }
    }

    @Test(arguments: TestEngine.allCases) func reportsOneVerdictPerActiveUserAndSharedNumbers(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            try fixture.importCSV(people)
            try SMSNumbers(.testing(fixture.settings)).setAttribute(named: "mobile")
            let (summary, rows) = try verify(fixture)
            #expect(summary == NumberCheckSummary(
                attribute: "mobile", users: 7, valid: 2, deliverable: 2, missing: 1, invalid: 2, fixable: 0, shared: 2,
                fixed: 0))
            // The report's pass reuses the first pass's numbers: its verdicts must be the same.
            #expect(rows.map(\.verdict) == [
                .valid("447700900123"), .deliverable("447700900123"), .invalid(.leadingZero), .missing,
                .invalid(.letters), .deliverable("14155550100"), .valid("447700900777"),
            ])
            #expect(rows.map(\.sharedBy) == [2, 2, 1, 1, 1, 1, 1])

            let (withCountry, _) = try verify(fixture, region: "GB")
            #expect(withCountry.deliverable == 3 && withCountry.invalid == 1)
            for row in rows { #expect(row.verdict == PhoneNumberNormalizer().verdict(for: row.value ?? "")) }
        }
    }

    @Test(arguments: TestEngine.allCases) func fixRewritesOnlyFixableValuesInPlace(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            try fixture.importCSV(people)
            try SMSNumbers(.testing(fixture.settings)).setAttribute(named: "mobile")
            let (summary, _) = try verify(fixture, region: "GB", fix: true)
            #expect(summary.fixed == 3)
            #expect(try fixture.attributes(of: "b@example.com")["mobile"] == "447700900123")
            #expect(try fixture.attributes(of: "c@example.com")["mobile"] == "447700900125")
            #expect(try fixture.attributes(of: "f@example.com")["mobile"] == "14155550100")
            #expect(try fixture.attributes(of: "e@example.com")["mobile"] == "call me", "invalid values are left alone")
            let (after, _) = try verify(fixture, region: "GB")
            #expect(after.valid == 5 && after.deliverable == 0 && after.fixable == 0)
        }
    }

    @Test(arguments: TestEngine.allCases) func disabledUsersAreNotReported(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            try fixture.importCSV(people)
            var options = ImportOptions()
            options.disableMissing = true
            try fixture.importCSV("email\na@example.com\n", options: options)
            try SMSNumbers(.testing(fixture.settings)).setAttribute(named: "mobile")
            let (summary, rows) = try verify(fixture)
            #expect(summary.users == 1 && rows.map(\.email) == ["a@example.com"])
        }
    }

    @Test func unknownDefaultCountryIsAUsageError() {
        #expect(throws: DirectoryFailure.unknownCountry("Narnia")) { _ = try SMSNumbers.region(named: "Narnia") }
    }
}
