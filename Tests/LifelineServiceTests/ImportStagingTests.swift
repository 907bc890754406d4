import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

/// An import stages without a lock on the database and merges in one short transaction.
struct ImportStagingTests {
    private let directory = """
        email,name,mobile,groups
        ann@example.com,Ann Lee,447700900123,Staff
        bob@example.com,Bob Roe,447700900124,Staff

        """
    private let changes = """
        email,name,mobile,site,groups
        ann@example.com,Ann Lee-Roe,447700900123,Leeds,Staff;Night
        bob@example.com,Bob Roe,447700900999,,Staff
        dan@example.com,Dan Poe,447700900125,York,Night

        """

    private func stage(_ csv: String, _ fixture: DirectoryFixture, options: ImportOptions = ImportOptions()) throws -> (DirectoryImporter, StagedImport) {
        let path = fixture.folder + "/staged-\(UUID().uuidString).csv"
        try Data(csv.utf8).write(to: URL(fileURLWithPath: path))
        let importer = DirectoryImporter(.testing(fixture.settings, clock: FixedClock(date: Date(epochMilliseconds: 2_000_000))))
        return (importer, try importer.stage(from: .file(path: path), path: "changes.csv", options: options))
    }

    @Test(arguments: TestEngine.allCases) func stagingHoldsNoLockAndTheMergeMovesItsIdsPastThoseTakenMeanwhile(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            try fixture.importCSV(directory)
            _ = try SMSNumbers(.testing(fixture.settings)).setAttribute(named: "mobile")
            let (importer, staged) = try stage(changes, fixture)
            #expect(staged.summary.created == 1 && staged.summary.updated == 2)
            #expect(staged.summary.groupsCreated == 1 && staged.summary.attributesDefined == 1)

            // While the import waits to merge, others write without waiting, and take the ids
            // the import staged for its new user, group and attribute.
            let other = try fixture.impatientConnection()
            try other.write {
                try other.execute(
                    "INSERT INTO users (email, status, created_at, updated_at) VALUES ('eve@example.com', 'active', 1, 1)")
                _ = try DirectoryStore(connection: other).createGroup(name: "Other", at: Date(epochMilliseconds: 1))
                _ = try DirectoryStore(connection: other).defineAttribute(name: "badge", source: .manual, at: Date(epochMilliseconds: 1))
            }
            #expect(try fixture.user("dan@example.com") == nil, "nothing staged is visible before the merge")
            #expect(try fixture.user("ann@example.com")?.displayName == "Ann Lee")

            let summary = try importer.commit(staged)
            #expect(summary.outcome == .written)
            #expect(try fixture.user("ann@example.com")?.displayName == "Ann Lee-Roe")
            #expect(try fixture.attributes(of: "ann@example.com") == ["mobile": "447700900123", "site": "Leeds"])
            #expect(try fixture.attributes(of: "bob@example.com") == ["mobile": "447700900999"])
            #expect(try fixture.attributes(of: "dan@example.com") == ["mobile": "447700900125", "site": "York"])
            #expect(try fixture.groups(of: "ann@example.com") == ["Night", "Staff"])
            #expect(try fixture.groups(of: "dan@example.com") == ["Night"])
            #expect(try fixture.attributes(of: "eve@example.com").isEmpty && fixture.groups(of: "eve@example.com").isEmpty)
            let bob = try #require(try fixture.user("bob@example.com"))
            #expect(try SMSNumberStore(connection: fixture.connection()).stored(userID: bob.id)?.number == "447700900999",
                "the changed number is judged and stored")
            #expect(try fixture.count("group_memberships WHERE group_id = (SELECT id FROM groups WHERE name = 'Other')") == 0)
            #expect(try fixture.count("user_attributes WHERE attribute_id = (SELECT id FROM attribute_definitions WHERE name = 'badge')") == 0)
        }
    }

    @Test(arguments: TestEngine.allCases) func aUserCreatedMeanwhileWithAStagedEmailRefusesTheMergeAndWritesNothing(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            try fixture.importCSV(directory)
            let (importer, staged) = try stage(changes, fixture)
            let other = try fixture.impatientConnection()
            try other.execute(
                "INSERT INTO users (email, status, created_at, updated_at) VALUES ('DAN@example.com', 'active', 1, 1)")

            #expect(throws: ImportFailure.directoryChanged(path: "changes.csv", table: "users")) { try importer.commit(staged) }
            #expect(try fixture.user("ann@example.com")?.displayName == "Ann Lee", "a refused merge writes nothing")
            #expect(try fixture.count("groups") == 1 && fixture.count("attribute_definitions") == 1)

            // Run again, the import reads the directory as it is now and converges.
            let summary = try fixture.importCSV(changes, at: Date(epochMilliseconds: 3_000_000))
            #expect(summary.created == 0 && summary.updated == 3)
            #expect(try fixture.attributes(of: "dan@example.com") == ["mobile": "447700900125", "site": "York"])
        }
    }

    @Test(arguments: TestEngine.allCases) func aDryRunAndARefusedImportNeverTakeTheWriteLock(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try DirectoryFixture(folder: folder, engine: engine)
            try fixture.importCSV(directory)
            let observer = try fixture.writeObserver()
            let before = try observer.mark()
            // Another process holds the write lock throughout: neither import needs it.
            let other = try fixture.holdWriteLock()
            defer { try? other.execute("ROLLBACK") }
            var options = ImportOptions()
            options.dryRun = true
            let dry = try fixture.importCSV(changes, options: options)
            #expect(dry.outcome == .dryRun && dry.created == 1)
            #expect(throws: ImportFailure.self) { try fixture.importCSV(changes + "not-an-email,X,1,,\n") }
            #expect(try observer.mark() == before)
        }
    }
}
