import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

struct PasswordResetServiceTests {
    @Test(arguments: TestEngine.allCases) func everyProfileOptionWithEveryMethod(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try AccountFixture(folder: folder, engine: engine)
            for options in ResetOptions.allCases {
                for method in MessageChannel.allCases {
                    try setup.useProfile(reset: options)
                    // Past both rate-limit windows, so each case stands alone.
                    setup.clock.advance(by: 61 * 60)
                    let id = "\(options.rawValue)-\(method.rawValue)"
                    #expect(try setup.resets.start(email: "ann@example.com", method: method, requestID: id) == id)
                    let sent = try await setup.deliver()
                    let destination = method == .sms ? "447700900001" : "ann@example.com"
                    switch (options, method) {
                    case (.notAllowed, _):
                        #expect(sent.count == 1 && sent[0].channel == method.rawValue && sent[0].to == destination)
                        #expect(sent.first?.kind == "reset_not_allowed" && sent.first?.code == nil, "\(id)")
                        #expect(sent.first?.body.contains("contact your administrator") == true)
                    case (.emailOrSMS, _), (.sms, .sms), (.email, .email):
                        #expect(sent.count == 1 && sent[0].channel == method.rawValue && sent[0].to == destination, "\(id)")
                        #expect(sent.first?.code?.count == 6, "\(id)")
                    default:
                        #expect(sent.isEmpty, "\(id): the profile does not allow this method")
                    }
                }
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func unknownDisabledAndNumberlessAccountsLookLikeAWrongCode(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try AccountFixture(folder: folder, engine: engine)
            for email in ["nobody@example.com", "eve@example.com", "bob@example.com"] {
                let id = try setup.resets.start(email: email, method: .sms)
                #expect(try setup.resets.verify(requestID: id, code: "123456") == .incorrect(attemptsLeft: 4))
            }
            #expect(try await setup.deliver().isEmpty)
            let real = try setup.resets.start(email: "ann@example.com", method: .sms)
            let code = try #require(try await setup.deliver().first?.code)
            #expect(try setup.resets.verify(requestID: real, code: code == "123456" ? "654321" : "123456") == .incorrect(attemptsLeft: 4))
        }
    }

    @Test(arguments: TestEngine.allCases) func onlyTheEmailsLatestResetIsLiveWhetherOrNotEitherSentACode(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try AccountFixture(folder: folder, engine: engine)
            try setup.useProfile(reset: .sms)
            // A real account whose second request sends nothing (email is not allowed) must look
            // like an unknown one: both first requests are superseded.
            for email in ["ann@example.com", "nobody@example.com"] {
                let first = try setup.resets.start(email: email, method: .sms)
                _ = try setup.resets.start(email: email.uppercased(), method: .email)
                #expect(try setup.resets.verify(requestID: first, code: "123456") == .superseded, "\(email)")
            }
            let code = try #require(try await setup.deliver().first?.code)
            #expect(code.count == 6, "the first request did send Ann a code, which the second one retired")
        }
    }

    @Test(arguments: TestEngine.allCases) func aResetCompletesOnceWithAPasswordThatMeetsThePolicy(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try AccountFixture(folder: folder, engine: engine)
            let id = try setup.resets.start(email: "ann@example.com", method: .sms)
            #expect(throws: AccountFailure.resetNotApproved(requestID: id)) { try setup.resets.complete(requestID: id, password: "Tulip-Harbour-7") }
            let code = try #require(try await setup.deliver().first?.code)
            #expect(try setup.resets.verify(requestID: id, code: code) == .approved)

            #expect(throws: AccountFailure.passwordRejected([.tooShort(minimum: 8), .tooFewCharacterClasses(required: 3, found: 1)])) {
                try setup.resets.complete(requestID: id, password: "qzvtx")
            }
            #expect(throws: AccountFailure.passwordRejected([.containsEmailName])) {
                try setup.resets.complete(requestID: id, password: "Ann-Harbour-7")
            }
            #expect(throws: AccountFailure.passwordRejected([.common])) {
                try setup.resets.complete(requestID: id, password: "Password123")
            }
            #expect(try setup.credentials("ann@example.com") == nil, "a refused password stores nothing")

            try setup.resets.complete(requestID: id, password: "Tulip-Harbour-7")
            let stored = try #require(try setup.credentials("ann@example.com"))
            #expect(stored.passwordChangedAt == setup.clock.now())
            #expect(AccountFixture.hasher.verify("Tulip-Harbour-7", against: stored.passwordHash ?? ""))
            let notice = try await setup.deliver()
            #expect(notice.map(\.kind) == ["password_changed"] && notice.first?.to == "447700900001")
            #expect(throws: AccountFailure.resetAlreadyCompleted(requestID: id)) {
                try setup.resets.complete(requestID: id, password: "Another-Tulip-8")
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func aUserWithoutANumberResetsByEmailAndGetsNoSMSNotice(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try AccountFixture(folder: folder, engine: engine)
            let id = try setup.resets.start(email: "bob@example.com", method: .email)
            let sent = try await setup.deliver()
            #expect(sent.map(\.to) == ["bob@example.com"])
            #expect(try setup.resets.verify(requestID: id, code: try #require(sent.first?.code)) == .approved)
            try setup.resets.complete(requestID: id, password: "Tulip-Harbour-7")
            #expect(try await setup.deliver().isEmpty)
            let view = try #require(try VerificationService(.testing(setup.fixture.settings)).status(requestID: id))
            #expect(view.origin == .reset && view.channel == .email && view.state == .approved)
        }
    }

    @Test(arguments: TestEngine.allCases) func theApprovalLastsTenMinutes(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try AccountFixture(folder: folder, engine: engine)
            let id = try setup.resets.start(email: "ann@example.com", method: .email)
            let code = try #require(try await setup.deliver().first?.code)
            #expect(try setup.resets.verify(requestID: id, code: code) == .approved)
            setup.clock.advance(by: PasswordResetService.approvalLifetime)
            #expect(throws: AccountFailure.approvalExpired(requestID: id, minutes: 10)) {
                try setup.resets.complete(requestID: id, password: "Tulip-Harbour-7")
            }
            #expect(try setup.credentials("ann@example.com") == nil)
        }
    }

    @Test(arguments: TestEngine.allCases) func aCodeAskedForOutsideTheResetFlowCannotCompleteAReset(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try AccountFixture(folder: folder, engine: engine)
            try setup.useProfile(reset: .notAllowed)
            let codes = VerificationService(.testing(setup.fixture.settings, clock: setup.clock))
            _ = try codes.request(email: "ann@example.com", purpose: .passwordReset, requestID: "bare")
            let code = try #require(try await setup.deliver().first?.code)
            #expect(try setup.resets.verify(requestID: "bare", code: code) == .notFound)
            #expect(try codes.verify(requestID: "bare", code: code) == .approved)
            #expect(throws: AccountFailure.resetNotApproved(requestID: "bare")) {
                try setup.resets.complete(requestID: "bare", password: "Tulip-Harbour-7")
            }
            #expect(throws: VerificationFailure.requestIDReused(requestID: "bare")) {
                try setup.resets.start(email: "ann@example.com", method: .sms, requestID: "bare")
            }
        }
    }
}

extension PasswordResetServiceTests {
    /// The generic check (`codes verify`, `POST /v1/verifications/{id}/check`) answers only for
    /// its own requests: a reset's or a login's id is not found there, and costs no attempt.
    @Test(arguments: TestEngine.allCases) func anotherFlowsRequestIsNotFoundByTheGenericCheck(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try AccountFixture(folder: folder, engine: engine)
            try setup.useProfile(reset: .sms, twoStep: .sms)
            try setup.setPassword("ann@example.com", "Tulip-Harbour-7")
            let codes = VerificationService(.testing(setup.fixture.settings, clock: setup.clock))
            let reset = try setup.resets.start(email: "ann@example.com", method: .sms)
            let resetCode = try #require(try await setup.deliver().last?.code)
            #expect(try codes.verify(requestID: reset, code: resetCode) == .notFound)
            #expect(try setup.resets.verify(requestID: reset, code: resetCode) == .approved)
            guard case .secondFactorRequired(let login, _) = try setup.logins.check(email: "ann@example.com", password: "Tulip-Harbour-7") else {
                Issue.record("2-step sends a code")
                return
            }
            let loginCode = try #require(try await setup.deliver().last?.code)
            #expect(try codes.verify(requestID: login, code: loginCode) == .notFound, "a login is finished only by the login's own step")
            #expect(try setup.logins.verify(requestID: login, code: loginCode).check == .approved)
        }
    }
}
