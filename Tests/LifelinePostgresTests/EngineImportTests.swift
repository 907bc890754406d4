import Foundation
@testable import LifelineService
import LifelineStore
import LifelineTestSupport
import Testing

/// The directory import, staged then merged, on both engines with the same calls.
@Suite struct EngineImportTests {
    private func importCSV(_ csv: String, settings: DatabaseSettings, at seconds: Double) throws -> ImportSummary {
        try withTemporaryDirectory { folder in
            let path = folder + "/users.csv"
            try csv.write(toFile: path, atomically: true, encoding: .utf8)
            let environment = LifelineEnvironment(
                database: settings, secret: .notNamed, clock: MovingClock(Date(timeIntervalSince1970: seconds)))
            return try DirectoryImporter(environment).importUsers(from: .file(path: path), path: "users.csv", options: ImportOptions())
        }
    }

    @Test(arguments: TestEngine.allCases)
    func anImportCreatesTheDirectoryAndAReimportChangesOnlyWhatChanged(engine: TestEngine) throws {
        try engine.withMigratedSettings { settings in
            let first = try importCSV(
                """
                email,name,department,groups
                ann@example.com,Ann Lee,Finance,Staff;Finance
                bob@example.com,Bob Ray,IT,Staff
                Cy@Example.com,Cy Ng,IT,IT
                """, settings: settings, at: 1_800_000_000)
            #expect(first.created == 3)
            #expect(first.groupsCreated == 3)
            #expect(first.attributesDefined == 1)
            #expect(first.membershipsAdded == 4)

            let second = try importCSV(
                """
                email,name,department,groups
                ann@example.com,Ann Lee,Finance,Staff
                BOB@example.com,Robert Ray,IT,Staff;IT
                cy@example.com,Cy Ng,IT,IT
                dee@example.com,Dee Oh,Ops,Ops
                """, settings: settings, at: 1_800_000_100)
            #expect(second.created == 1)
            #expect(second.updated == 1)
            #expect(second.unchanged == 2)
            #expect(second.groupsCreated == 1)
            #expect(second.membershipsAdded == 2)
            // A groups column adds memberships; leaving one out removes none.
            #expect(second.membershipsRemoved == 0)

            let connection = try settings.openCurrent()
            defer { connection.close() }
            let store = DirectoryStore(connection: connection)
            let bob = try #require(try store.user(email: "bob@example.com"))
            #expect(bob.displayName == "Robert Ray")
            #expect(try store.groupNames(userID: bob.id).sorted() == ["IT", "Staff"])
            let ann = try #require(try store.user(email: "ann@example.com"))
            #expect(try store.groupNames(userID: ann.id).sorted() == ["Finance", "Staff"])
            #expect(try store.namedAttributeValues(userID: ann.id).map(\.value) == ["Finance"])
            // Groups made after an import get ids past those the import gave out.
            let later = try connection.write { try store.createGroup(name: "Later", at: Date()) }
            #expect(try store.groups().map(\.id).max() == later)
        }
    }
}

/// `lifeline doctor`'s checks on both engines.
@Suite struct EngineDoctorTests {
    @Test(arguments: TestEngine.allCases)
    func doctorFindsADroppedLedgerTriggerOnEitherEngine(engine: TestEngine) throws {
        try engine.withMigratedSettings { settings in
            let maintenance = DatabaseMaintenance(LifelineEnvironment(database: settings, secret: .notNamed))
            let healthy = try maintenance.diagnose()
            #expect(healthy.isHealthy, "\(healthy.checks.filter { !$0.isPassing })")
            #expect(healthy.checks.contains { $0.name == "consent ledger protection" && $0.isPassing })

            let connection = try settings.open(createIfMissing: false)
            defer { connection.close() }
            let trigger = ConsentLedger.protectingTriggers(connection.dialect)[0]
            try connection.execute("DROP TRIGGER \(trigger)" + (connection.dialect == .postgres ? " ON consent_ledger" : ""))
            let report = try maintenance.diagnose()
            let protection = try #require(report.checks.first { $0.name == "consent ledger protection" })
            #expect(!protection.isPassing)
            #expect(protection.detail.contains(trigger))
        }
    }
}

extension EngineImportTests {
    /// More rows than one bulk load or one lookup group holds (PostgreSQL stages 10,000 rows a
    /// COPY and looks up 1,000 rows at once): every row is staged, seen and merged once, with a
    /// duplicate in a later group still found, on both engines alike.
    @Test(arguments: TestEngine.allCases)
    func importsLargerThanABatchStageEveryRowOnce(engine: TestEngine) throws {
        let count = 12_500
        func file(name: (Int) -> String, groups: (Int) -> String) -> String {
            var csv = "email,name,department,groups\n"
            for index in 0..<count { csv += "u\(index)@example.com,\(name(index)),D\(index % 3),\(groups(index))\n" }
            return csv
        }
        var options = ImportOptions()
        options.allowPartial = true
        func load(_ csv: String, _ settings: DatabaseSettings, at seconds: Double) throws -> ImportSummary {
            try withTemporaryDirectory { folder in
                try csv.write(toFile: folder + "/users.csv", atomically: true, encoding: .utf8)
                let environment = LifelineEnvironment(
                    database: settings, secret: .notNamed, clock: MovingClock(Date(timeIntervalSince1970: seconds)))
                return try DirectoryImporter(environment).importUsers(from: .file(path: folder + "/users.csv"), path: "users.csv", options: options)
            }
        }
        try engine.withMigratedSettings { settings in
            let first = try load(
                file(name: { "User \($0)" }, groups: { "Staff;G\($0 % 4)" }) + "U7@EXAMPLE.COM,Again,D0,Staff\n", settings, at: 1_800_000_000)
            #expect(first.created == count)
            #expect(first.rejected == 1, "a duplicate after the first bulk load is still one")
            #expect(first.membershipsAdded == 2 * count)
            options.groups = .replace
            options.disableMissing = true
            // Every name changes but the first hundred's; the last user leaves; u3 comes twice.
            let changed = file(name: { $0 < 100 ? "User \($0)" : "Person \($0)" }, groups: { _ in "Staff" })
                .split(separator: "\n").dropLast().joined(separator: "\n") + "\nu3@example.com,x,D0,Staff\n"
            let second = try load(changed, settings, at: 1_800_000_100)
            #expect(second.rejected == 1, "u3 twice")
            #expect(second.updated == count - 1, "groups replaced for all, so every one but the leaver changed")
            #expect(second.unchanged == 0)
            #expect(second.disabled == 1)
            #expect(second.membershipsRemoved == count - 1)
            let connection = try settings.openCurrent()
            defer { connection.close() }
            let store = DirectoryStore(connection: connection)
            let late = try #require(try store.user(email: "u12000@example.com"))
            #expect(late.displayName == "Person 12000")
            #expect(try store.groupNames(userID: late.id) == ["Staff"])
            #expect(try store.namedAttributeValues(userID: late.id).map(\.value) == ["D0"])
            #expect(try store.user(email: "u\(count - 1)@example.com")?.status == .disabled)
        }
    }
}
