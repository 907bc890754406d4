import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

struct LoginServiceTests {
    @Test(arguments: TestEngine.allCases) func oneAnswerForAWrongPasswordAnUnknownADisabledOrAPasswordlessAccount(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try AccountFixture(folder: folder, engine: engine)
            try setup.setPassword("ann@example.com", "Tulip-Harbour-7")
            try setup.setPassword("eve@example.com", "Tulip-Harbour-7")
            #expect(try setup.logins.check(email: "ann@example.com", password: "Tulip-Harbour-7") == .authenticated)
            #expect(try setup.logins.check(email: " ANN@example.com", password: "Tulip-Harbour-7") == .authenticated)
            for (email, password) in [
                ("ann@example.com", "Tulip-Harbour-8"), ("nobody@example.com", "Tulip-Harbour-7"),
                ("eve@example.com", "Tulip-Harbour-7"), ("bob@example.com", ""),
            ] {
                #expect(try setup.logins.check(email: email, password: password) == .invalidCredentials, "\(email)")
            }
            #expect(try setup.credentials("ann@example.com")?.lastLoginAt == setup.clock.now())
        }
    }

    @Test func unknownUsersAreCheckedAgainstADecoyHashThatCostsTheSame() throws {
        let decoy = AccountFixture.hasher.decoyHash
        let parts = try #require(StoredHash(decoy))
        #expect(parts.iterations == AccountFixture.hasher.iterations && parts.salt.count == 16 && parts.hash.count == 32)
        #expect(!AccountFixture.hasher.verify("", against: decoy) && !AccountFixture.hasher.verify("password", against: decoy))
        #expect(StoredHash(PasswordHasher().decoyHash)?.iterations == 600_000)
    }

    @Test(arguments: TestEngine.allCases) func aHashWithFewerIterationsIsRehashedAtTheNextLogin(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try AccountFixture(folder: folder, engine: engine)
            try setup.setPassword("ann@example.com", "Tulip-Harbour-7", hasher: PasswordHasher(unsafeUncheckedRounds: 500))
            #expect(try setup.credentials("ann@example.com")?.iterations == 500)
            #expect(try setup.logins.check(email: "ann@example.com", password: "Tulip-Harbour-8") == .invalidCredentials)
            #expect(try setup.credentials("ann@example.com")?.iterations == 500, "a failed login changes nothing")
            #expect(try setup.logins.check(email: "ann@example.com", password: "Tulip-Harbour-7") == .authenticated)
            #expect(try setup.credentials("ann@example.com")?.iterations == 1_000)
            #expect(try setup.logins.check(email: "ann@example.com", password: "Tulip-Harbour-7") == .authenticated)
        }
    }

    @Test(arguments: TestEngine.allCases) func twoStepSendsACodeAndAChangedNumberMustBeVerifiedFirst(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try AccountFixture(folder: folder, engine: engine)
            try setup.useProfile(reset: .sms, twoStep: .sms)
            try setup.setPassword("ann@example.com", "Tulip-Harbour-7")
            #expect(try setup.logins.check(email: "ann@example.com", password: "wrong") == .invalidCredentials)
            #expect(try await setup.deliver().isEmpty, "no code before the password is right")

            guard case .secondFactorRequired(let first, newNumber: false) = try setup.logins.check(email: "ann@example.com", password: "Tulip-Harbour-7")
            else { Issue.record("expected a second factor"); return }
            let code = try #require(try await setup.deliver().first { $0.to == "447700900001" }?.code)
            #expect(try setup.logins.verify(requestID: first, code: code) == LoginVerification(check: .approved, numberChanged: false))
            #expect(try setup.credentials("ann@example.com")?.twoStepNumber == "447700900001")
            #expect(try setup.logins.verify(requestID: first, code: code).check == .alreadyUsed)

            try setup.fixture.importCSV("email,mobile\nann@example.com,447700900099\n")
            guard case .secondFactorRequired(let second, newNumber: true) = try setup.logins.check(email: "ann@example.com", password: "Tulip-Harbour-7")
            else { Issue.record("expected the new number to need verifying"); return }
            let sent = try await setup.deliver()
            #expect(sent.map(\.to) == ["447700900099"], "the code goes to the new number only")
            #expect(try setup.logins.verify(requestID: second, code: try #require(sent.first?.code)) == LoginVerification(check: .approved, numberChanged: true))
            #expect(try setup.credentials("ann@example.com")?.twoStepNumber == "447700900099")
            let notice = try await setup.deliver()
            #expect(notice.map(\.kind) == ["two_step_number_changed"] && notice.first?.to == "447700900001")
            #expect(notice.first?.body.contains("ending 0099") == true)
        }
    }

    @Test(arguments: TestEngine.allCases) func onlyALoginsOwnRequestFinishesALogin(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try AccountFixture(folder: folder, engine: engine)
            try setup.useProfile(reset: .sms, twoStep: .sms)
            let codes = VerificationService(.testing(setup.fixture.settings, clock: setup.clock))
            _ = try codes.request(email: "ann@example.com", purpose: .twoStep, requestID: "bare")
            let reset = try setup.resets.start(email: "ann@example.com", method: .sms)
            let sent = try await setup.deliver()
            #expect(try setup.logins.verify(requestID: "bare", code: try #require(sent.first?.code)).check == .notFound)
            #expect(try setup.logins.verify(requestID: reset, code: try #require(sent.last?.code)).check == .notFound)
            #expect(try setup.credentials("ann@example.com") == nil)
        }
    }

    @Test(arguments: TestEngine.allCases) func twoStepWithoutAValidNumberCannotFinish(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try AccountFixture(folder: folder, engine: engine)
            try setup.useProfile(reset: .sms, twoStep: .sms)
            try setup.setPassword("bob@example.com", "Tulip-Harbour-7")
            guard case .secondFactorUnavailable = try setup.logins.check(email: "bob@example.com", password: "Tulip-Harbour-7") else {
                Issue.record("expected no second factor for a user without a number")
                return
            }
        }
    }
}
