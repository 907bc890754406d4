import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

struct DirectoryImporterTests {
    private let directory = """
        email,name,mobile,department,groups
        ann@example.com,Ann Lee,447700900123,Sales,Staff;London
        bob@example.com,Bob Roe,447700900124,R&D,Staff
        zoe@example.com,Zoë Öz,,R&D,

        """

    @Test(arguments: TestEngine.allCases) func createsThenReportsUnchangedAndWritesNothingTheSecondTime(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            let first = try fixture.importCSV(directory)
            #expect(first.created == 3 && first.updated == 0 && first.unchanged == 0 && first.rejected == 0)
            #expect(first.attributesDefined == 2 && first.groupsCreated == 2 && first.membershipsAdded == 3)
            #expect(first.isWritten)
            #expect(try fixture.attributes(of: "ann@example.com") == ["mobile": "447700900123", "department": "Sales"])
            #expect(try fixture.attributes(of: "zoe@example.com") == ["department": "R&D"])
            #expect(try fixture.groups(of: "ann@example.com") == ["London", "Staff"])

            let observer = try fixture.writeObserver()
            let before = try observer.mark()
            let annBefore = try fixture.user("ann@example.com")
            let second = try fixture.importCSV(directory, at: Date(epochMilliseconds: 9_000_000))
            #expect(second.created == 0 && second.updated == 0 && second.unchanged == 3)
            #expect(second.attributesDefined == 0 && second.groupsCreated == 0 && second.membershipsAdded == 0)
            #expect(try observer.mark() == before, "an unchanged re-import must commit nothing")
            #expect(second.outcome == .nothingToWrite && !second.isWritten)
            #expect(try fixture.user("ann@example.com") == annBefore)
        }
    }

    @Test(arguments: TestEngine.allCases) func rowChangesOnlyWhatItCarries(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            try fixture.importCSV(directory)
            // No department column: departments stay. An empty mobile cell clears the mobile.
            let summary = try fixture.importCSV(
                "EMAIL , Mobile\nANN@example.com,\nbob@example.com,447700900999\nzoe@example.com,\n",
                at: Date(epochMilliseconds: 2_000_000))
            #expect(summary.updated == 2 && summary.unchanged == 1)
            #expect(try fixture.attributes(of: "ann@example.com") == ["department": "Sales"])
            #expect(try fixture.attributes(of: "bob@example.com") == ["mobile": "447700900999", "department": "R&D"])
            let ann = try #require(try fixture.user("ann@example.com"))
            #expect(ann.email == "ann@example.com", "the stored email keeps the case first seen")
            #expect(ann.displayName == "Ann Lee", "no name column: the name is untouched")
            #expect(ann.updatedAt == Date(epochMilliseconds: 2_000_000))
            let zoe = try #require(try fixture.user("zoe@example.com"))
            #expect(zoe.updatedAt == Date(epochMilliseconds: 1_000_000), "unchanged users keep their time")
        }
    }

    @Test(arguments: TestEngine.allCases) func groupsAreAddedByDefaultAndReplacedOnRequest(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            try fixture.importCSV(directory)
            let added = try fixture.importCSV("email,groups\nann@example.com,\nbob@example.com,Paris\n")
            #expect(added.membershipsAdded == 1 && added.membershipsRemoved == 0)
            #expect(try fixture.groups(of: "bob@example.com") == ["Paris", "Staff"])
            #expect(try fixture.groups(of: "ann@example.com") == ["London", "Staff"], "an empty groups cell adds nothing")

            var replace = ImportOptions()
            replace.groups = .replace
            let replaced = try fixture.importCSV("email,groups\nann@example.com,Staff; paris \nbob@example.com,\n", options: replace)
            #expect(replaced.membershipsAdded == 1 && replaced.membershipsRemoved == 3)
            #expect(try fixture.groups(of: "ann@example.com") == ["Paris", "Staff"])
            #expect(try fixture.groups(of: "bob@example.com") == [])
            #expect(try fixture.groups(of: "zoe@example.com") == [], "users not in the file keep theirs (none here)")
            #expect(replaced.groupsCreated == 0, "group names match case-insensitively")
        }
    }

    @Test(arguments: TestEngine.allCases) func disableMissingDisablesAbsentUsersAndReEnablesReturningOnes(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            try fixture.importCSV(directory)
            var options = ImportOptions()
            options.disableMissing = true
            let first = try fixture.importCSV("email\nann@example.com\n", options: options)
            #expect(first.disabled == 2 && first.unchanged == 1)
            #expect(try fixture.user("bob@example.com")?.status == .disabled)
            #expect(try fixture.count("users") == 3, "disabled users are never deleted")
            let back = try fixture.importCSV("email\nann@example.com\nbob@example.com\n", options: options)
            #expect(back.reEnabled == 1 && back.updated == 1 && back.disabled == 0, "zoe was already disabled")
            #expect(try fixture.user("bob@example.com")?.status == .active)
            #expect(try fixture.user("zoe@example.com")?.status == .disabled)
        }
    }

    @Test(arguments: TestEngine.allCases) func rejectedRowsMeanNothingIsWrittenByDefault(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            let observer = try fixture.writeObserver()
            let before = try observer.mark()
            let csv = "email,name\nann@example.com,Ann\nnot-an-email,X\ncarl@example.com,Carl,extra\nANN@EXAMPLE.COM,Again\n"
            do {
                try fixture.importCSV(csv)
                Issue.record("an import with bad rows succeeded")
            } catch let failure as ImportFailure {
                guard case .rowsRejected(_, let summary) = failure else {
                    Issue.record("unexpected \(failure)")
                    return
                }
                #expect(failure.kind == .badInput)
                #expect(summary.rejected == 3 && summary.created == 1 && summary.outcome == .refused)
                #expect(summary.firstRejections.map(\.line) == [3, 4, 5])
                #expect(summary.firstRejections[0].reason.contains("malformed email"))
                #expect(summary.firstRejections[1].reason == "wrong field count: 3 field(s), the header has 2")
                #expect(summary.firstRejections[2].reason == "duplicate email: the same user as line 2")
            }
            #expect(try fixture.count("users") == 0)
            #expect(try fixture.count("groups") == 0)
            #expect(try observer.mark() == before)

            var partial = ImportOptions()
            partial.allowPartial = true
            partial.rejectFilePath = folder + "/rejects.csv"
            let summary = try fixture.importCSV(csv, options: partial)
            #expect(summary.created == 1 && summary.rejected == 3 && summary.isWritten)
            #expect(try fixture.user("ann@example.com")?.displayName == "Ann")
            let rejects = try String(contentsOfFile: folder + "/rejects.csv", encoding: .utf8)
            #expect(
                rejects == "line,reason,email,name\r\n"
                    + "3,malformed email 'not-an-email': has no @,not-an-email,X\r\n"
                    + "4,\"wrong field count: 3 field(s), the header has 2\",carl@example.com,Carl,extra\r\n"
                    + "5,duplicate email: the same user as line 2,ANN@EXAMPLE.COM,Again\r\n")
            let mode = try FileManager.default.attributesOfItem(atPath: folder + "/rejects.csv")[.posixPermissions] as? NSNumber
            #expect(mode?.uint16Value == 0o600)
        }
    }

    @Test(arguments: TestEngine.allCases) func dryRunCountsEverythingAndWritesNothing(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            let observer = try fixture.writeObserver()
            let before = try observer.mark()
            var options = ImportOptions()
            options.dryRun = true
            let summary = try fixture.importCSV(directory + "bad,row\n", options: options)
            #expect(summary.created == 3 && summary.rejected == 1 && summary.groupsCreated == 2 && summary.outcome == .dryRun)
            #expect(try observer.mark() == before)
            #expect(try fixture.count("attribute_definitions") == 0)
        }
    }

    @Test(arguments: TestEngine.allCases) func badCellsAreRejectedWithLineAndReason(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            var options = ImportOptions()
            options.allowPartial = true
            let long = String(repeating: "a", count: 5000)
            var bytes = Array("email,note\nok@example.com,fine\nutf@example.com,".utf8) + [0xC3, 0x28]
            bytes += Array("\nlong@example.com,\(long)\n,no email\n\"quoted@example.com\",\"multi\nline\"\nlast@example.com,x\n".utf8)
            let summary = try fixture.importBytes(bytes, options: options)
            #expect(summary.created == 3)
            #expect(summary.firstRejections.map(\.line) == [3, 4, 5])
            #expect(summary.firstRejections.map(\.reason) == [
                "invalid UTF-8 in column 'note'", "field over 4 KiB in column 'note'", "missing email",
            ])
            #expect(try fixture.attributes(of: "quoted@example.com") == ["note": "multi\nline"])
            #expect(try fixture.user("last@example.com") != nil)
        }
    }

    @Test(arguments: TestEngine.allCases) func badHeadersAreRefusedBeforeAnythingIsRead(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            #expect(throws: ImportFailure.missingEmailColumn(path: "input.csv", columns: ["login", "name"])) {
                try fixture.importCSV("login,name\na@b.c,A\n")
            }
            #expect(throws: ImportFailure.duplicateColumn(path: "input.csv", name: "Email", columns: [1, 3])) {
                try fixture.importCSV("email,name,Email\n")
            }
            #expect(throws: ImportFailure.emptyColumnName(path: "input.csv", column: 2)) {
                try fixture.importCSV("email, ,x\n")
            }
            #expect(throws: ImportFailure.emptyFile(path: "input.csv")) { try fixture.importCSV("") }
        }
    }

    /// Directories' own headers are read as they come: aliases for the email, name and groups
    /// columns, ignoring case, spaces, underscores and hyphens, and `--map` for anything else.
    @Test(arguments: TestEngine.allCases) func commonHeaderNamesAndMappedColumnsAreRead(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            _ = try fixture.importCSV("Email Address,Display Name,Mobile Phone,Department,memberOf\nann@example.com,Ann,447700900001,Ops,Staff\n")
            #expect(try fixture.user("ann@example.com")?.displayName == "Ann")
            #expect(try fixture.attributes(of: "ann@example.com") == ["Mobile Phone": "447700900001", "Department": "Ops"])
            #expect(try fixture.groups(of: "ann@example.com") == ["Staff"])
            _ = try fixture.importCSV("user_principal_name,FULL-NAME\nbob@example.com,Bob\n")
            #expect(try fixture.user("bob@example.com")?.displayName == "Bob")
            var options = ImportOptions()
            options.columnMap = ["Work Mail": "email", "work mobile": "mobile"]
            _ = try fixture.importCSV("Work Mail,Work Mobile,mail\ncat@example.com,447700900003,cat.alt@example.com\n", options: options)
            #expect(try fixture.attributes(of: "cat@example.com") == ["mobile": "447700900003", "mail": "cat.alt@example.com"])
            // `-` reads a column past: no attribute, no change to the one it would have named.
            options.columnMap = ["Notes": "-", "mail": "-"]
            _ = try fixture.importCSV("email,Notes,mail\ncat@example.com,private,\n", options: options)
            #expect(try fixture.attributes(of: "cat@example.com") == ["mobile": "447700900003", "mail": "cat.alt@example.com"])
            let refusal = ImportFailure.missingEmailColumn(path: "x.csv", columns: ["login"])
            #expect(refusal.description.contains("--map \"Work Email=email\"") && refusal.message.contains("it has: login"))
        }
    }

    /// A nightly import that takes numbers away says so, with counts, and names the console
    /// accounts it locks out; a file with no name column says what `{name}` becomes.
    @Test(arguments: TestEngine.allCases) func theSummaryWarnsOfNumbersLostAndNamesConsoleAccounts(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            let first = try fixture.importCSV(
                "email,name,mobile\nann@example.com,Ann,+44 7700 900001\nbob@example.com,Bob,447700900002\n"
                    + "cy@example.com,Cy,447700900003\n")
            #expect(first.warnings.isEmpty, "numbers are judged only once there is an SMS attribute")
            let environment = LifelineEnvironment.testing(fixture.settings)
            try SMSNumbers(environment).setAttribute(named: "mobile")
            let connection = try fixture.connection()
            try connection.write {
                let ann = try #require(try DirectoryStore(connection: connection).user(email: "ann@example.com"))
                try ConsoleRoleStore(connection: connection).grant(userID: ann.id, role: .admin, onCall: nil, by: "test", at: Date())
            }
            let csv = "email,name,mobile\nann@example.com,Ann,07700 900001\nbob@example.com,Bob,\ncy@example.com,Cy,44 7700 900003\n"
                + "dee@example.com,Dee,call me\n"
            var dryRun = ImportOptions()
            dryRun.dryRun = true
            let preview = try fixture.importCSV(csv, options: dryRun)
            #expect(preview.numbersLost == 3 && preview.numbersUndeliverable == 3)
            #expect(preview.warnings.first?.message.contains("would lose") == true)
            let summary = try fixture.importCSV(csv)
            #expect(summary.numbersLost == 3, "ann's is national, bob's is gone, cy's names no country")
            #expect(summary.numbersUndeliverable == 3, "ann's, cy's and the new dee's")
            #expect(summary.consoleAccountsLosingNumber == ["ann@example.com"])
            #expect(summary.warnings.map(\.code) == ["console_account_number_lost", "numbers_lost", "numbers_undeliverable"])
            #expect(summary.warnings[0].message.contains("ann@example.com") && summary.warnings[0].emails == ["ann@example.com"])
            #expect(summary.counts.first { $0.name == "numbers_lost" }?.value == 3)

            let nameless = try fixture.importCSV("email,mobile\neve@example.com,447700900005\n")
            #expect(nameless.warnings.map(\.code) == ["no_name_column"])
            #expect(nameless.warnings[0].message.contains("{name} in messages will be each new user's email"))
        }
    }

    @Test func importNeedsAMigratedDatabase() throws {
        try withTemporaryDirectory { folder in
            let settings = DatabaseSettings(path: folder + "/blank.db")
            try SQLiteConnection(path: settings.path).close()
            try Data("email\na@b.co\n".utf8).write(to: URL(fileURLWithPath: folder + "/in.csv"))
            #expect(throws: SchemaNotCurrent.self) {
                try DirectoryImporter(.testing(settings)).importUsers(
                    from: .file(path: folder + "/in.csv"), path: "in.csv", options: ImportOptions())
            }
        }
    }
}

/// A file that is not UTF-8 CSV text is named for what it looks like, with how to export CSV.
struct NotCSVTests {
    static let utf16: [UInt8] = [0xFF, 0xFE] + "email\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    static let latin1Header: [UInt8] = Array("email,n".utf8) + [0xE9] + Array("e\n".utf8)
    static let files: [(bytes: [UInt8], look: String)] = [
        ([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00], "a zip file, such as an Excel workbook (.xlsx)"),
        ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0x00], "an older Excel workbook (.xls)"),
        (utf16, "UTF-16 text"),
        ([0x01, 0x02, 0x00, 0x7F, 0x0A], "binary data"),
        (latin1Header, "another encoding than UTF-8"),
    ]

    @Test(arguments: TestEngine.allCases, files)
    func isReportedForWhatItLooksLike(engine: TestEngine, file: (bytes: [UInt8], look: String)) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            do {
                try fixture.importBytes(file.bytes)
                Issue.record("a non-CSV file was imported")
            } catch let failure as ImportFailure {
                guard case .notUTF8CSV(_, let looksLike) = failure else {
                    Issue.record("\(failure)")
                    return
                }
                #expect(looksLike.contains(file.look))
                #expect(failure.remedy?.contains("CSV UTF-8") == true)
                #expect(failure.kind == .badInput)
            }
        }
    }
}
