import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

/// Console accounts: only an active user with a valid SMS number is given a role.
struct ConsoleAccountsTests {
    @Test(arguments: TestEngine.allCases) func anActiveUserWithAValidNumberIsGrantedListedChangedAndRevoked(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try AccountFixture(folder: folder, engine: engine)
            let accounts = ConsoleAccounts(.testing(setup.fixture.settings, clock: setup.clock))
            let granted = try accounts.grant(email: " ANN@example.com", role: .operator, actor: "cli:root")
            #expect(granted.account.email == "ann@example.com" && granted.account.role == .operator)
            #expect(!granted.hasPassword, "Ann has not set a password yet")
            #expect(!granted.account.onCall, "nobody is on call until they say so")
            try accounts.setOnCall(email: "ann@example.com", true)
            _ = try accounts.grant(email: "ann@example.com", role: .admin, actor: "cli:boss")
            var listed = try accounts.list()
            #expect(listed.map(\.role) == [.admin] && listed[0].grantedBy == "cli:boss")
            #expect(listed[0].onCall, "a new role keeps the on-call choice")
            _ = try accounts.grant(email: "ann@example.com", role: .admin, onCall: false, actor: "cli:boss")
            listed = try accounts.list()
            #expect(try !listed[0].onCall && !accounts.isOnCall(email: "ann@example.com"))
            #expect(throws: ConsoleAccountFailure.notGranted(email: "bob@example.com")) { try accounts.setOnCall(email: "bob@example.com", true) }
            try accounts.revoke(email: "ann@example.com")
            #expect(try accounts.list().isEmpty)
            #expect(throws: ConsoleAccountFailure.notGranted(email: "ann@example.com")) { try accounts.revoke(email: "ann@example.com") }
        }
    }

    @Test(arguments: TestEngine.allCases) func noRoleForADisabledUserOneWithoutANumberOrAStranger(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try AccountFixture(folder: folder, engine: engine)
            let accounts = ConsoleAccounts(.testing(setup.fixture.settings))
            #expect(throws: ConsoleAccountFailure.notActive(email: "eve@example.com")) {
                try accounts.grant(email: "eve@example.com", role: .admin, actor: "cli")
            }
            #expect(throws: ConsoleAccountFailure.noValidNumber(email: "bob@example.com", status: .missing)) {
                try accounts.grant(email: "bob@example.com", role: .operator, actor: "cli")
            }
            #expect(throws: DirectoryFailure.userNotFound(email: "nobody@example.com")) {
                try accounts.grant(email: "nobody@example.com", role: .operator, actor: "cli")
            }
            #expect(try accounts.list().isEmpty, "nothing was written")
        }
    }
}
