import Foundation
import Synchronization
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

struct ConsentServiceTests {
    private let directory = """
        email,name,mobile,groups
        ann@example.com,Ann,447700900001,Staff
        bob@example.com,Bob,447700900002,Staff
        cat@example.com,Cat,447700900002,Ops
        dan@example.com,Dan,44 7700 900004,Ops
        eve@example.com,Eve,,Ops

        """

    private func makeService(_ folder: String, engine: TestEngine, clock: MovingClock = MovingClock()) throws -> (DirectoryFixture, ConsentService) {
        let fixture = try DirectoryFixture(folder: folder, engine: engine)
        try fixture.importCSV(directory)
        try SMSNumbers(.testing(fixture.settings)).setAttribute(named: "mobile")
        return (fixture, ConsentService(.testing(fixture.settings, clock: clock)))
    }

    private func state(_ service: ConsentService, _ email: String) throws -> ConsentState {
        try service.status(of: email).first?.state ?? .none
    }

    private func outbox(_ fixture: DirectoryFixture, to number: String) throws -> [OutboxEntry] {
        try OutboxStore(connection: fixture.connection()).messages(to: number)
    }

    @Test(arguments: TestEngine.allCases) func doubleOptInQueuesOneConfirmationAndYesOptsIn(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let clock = MovingClock()
            let (fixture, service) = try makeService(folder, engine: engine, clock: clock)
            #expect(try service.requestOptIn(email: "ann@example.com", source: .portal, actor: "portal") == .confirmationQueued)
            #expect(try state(service, "ann@example.com") == .pending)
            let request = try #require(try outbox(fixture, to: "447700900001").first)
            #expect(request.kind == "optin_confirmation_request" && request.program == .service)
            for phrase in ["reply YES to confirm", "only during email outages", "Msg & data rates may apply", "Reply HELP for help, STOP to cancel"] {
                #expect(request.body.contains(phrase))
            }
            clock.advance(by: 5 * 60)
            #expect(try service.requestOptIn(email: "ann@example.com", source: .portal, actor: "portal") == .alreadyPending(lastSentAt: request.createdAt))
            #expect(try outbox(fixture, to: "447700900001").count == 1, "at most one confirmation per 10 minutes")
            clock.advance(by: 6 * 60)
            #expect(try service.requestOptIn(email: "ann@example.com", source: .portal, actor: "portal") == .confirmationResent)
            #expect(try outbox(fixture, to: "447700900001").count == 2)

            let yes = try service.handleInbound(from: "+44 7700 900001", text: " yes ")
            #expect(yes == InboundOutcome(action: "opted_in", changedUsers: ["ann@example.com"], replied: true))
            #expect(try state(service, "ann@example.com") == .optedIn)
            let reply = try #require(try outbox(fixture, to: "447700900001").last)
            #expect(reply.kind == "optin_reply" && reply.body.contains("Reply HELP for help, STOP to cancel"))
            #expect(try service.requestOptIn(email: "ann@example.com", source: .portal, actor: "portal") == .alreadyOptedIn)
        }
    }

    @Test(arguments: [
        "STOP", "stop", "Stop", " stop ", "Stop.", "STOP!", "stopall", "Unsubscribe", "cancel", "END", "quit", "Revoke",
        "optout", "OPT-OUT", "opt-out.", "remove", "ARRET", "td",
    ])
    func everyOptOutKeywordOptsOut(text: String) throws {
        #expect(ConsentKeyword(message: text) == .optOut)
    }

    @Test(arguments: ["START", "start", " Yes! ", "unstop", "RESUME."])
    func everyOptInKeywordOptsIn(text: String) {
        #expect(ConsentKeyword(message: text) == .optIn)
    }

    @Test(arguments: ["HELP", "help?", "Info"])
    func helpKeywords(text: String) {
        #expect(ConsentKeyword(message: text) == .help)
    }

    @Test(arguments: ["STOP IT", "stopp", "YES PLEASE", "please stop", "S T O P", "", "STOP STOP", "ye s"])
    func nearMissesAreNotKeywords(text: String) {
        #expect(ConsentKeyword(message: text) == nil)
    }

    @Test(arguments: TestEngine.allCases) func nearMissChangesNothingAndIsStoredUnhandled(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let (fixture, service) = try makeService(folder, engine: engine)
            _ = try service.requestOptIn(email: "ann@example.com", source: .portal, actor: "portal")
            for text in ["STOP IT", "stopp", "YES PLEASE"] {
                #expect(try service.handleInbound(from: "447700900001", text: text).action == "unhandled")
            }
            #expect(try state(service, "ann@example.com") == .pending)
            #expect(try outbox(fixture, to: "447700900001").count == 1)
            #expect(try fixture.count("inbound_messages") == 3)
        }
    }

    @Test(arguments: TestEngine.allCases) func stopOptsOutEveryUserOfTheNumberWithOneReplyAndARepeatIsSilent(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let (fixture, service) = try makeService(folder, engine: engine)
            _ = try service.recordAdminDecision(email: "bob@example.com", state: .optedIn, evidence: "form 12", actor: "admin")
            _ = try service.recordAdminDecision(email: "cat@example.com", state: .optedIn, evidence: "form 13", actor: "admin")
            let stop = try service.handleInbound(from: "0044 7700 900002", text: "Stop.")
            #expect(stop == InboundOutcome(action: "opted_out", changedUsers: ["bob@example.com", "cat@example.com"], replied: true))
            #expect(try state(service, "bob@example.com") == .optedOut && state(service, "cat@example.com") == .optedOut)
            let replies = try outbox(fixture, to: "447700900002")
            #expect(replies.count == 1)
            #expect(replies[0].body.contains("You will receive no more continuity alerts. Reply START to resubscribe."))
            let again = try service.handleInbound(from: "447700900002", text: "STOP")
            #expect(again == InboundOutcome(action: "no_change", changedUsers: [], replied: false))
            #expect(try outbox(fixture, to: "447700900002").count == 1)
        }
    }

    @Test(arguments: TestEngine.allCases) func stopThenStartOptsBackIn(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let (_, service) = try makeService(folder, engine: engine)
            _ = try service.recordAdminDecision(email: "ann@example.com", state: .optedIn, evidence: "form", actor: "admin")
            _ = try service.handleInbound(from: "447700900001", text: "STOP")
            #expect(try service.handleInbound(from: "447700900001", text: "START").action == "opted_in")
            #expect(try state(service, "ann@example.com") == .optedIn)
        }
    }

    @Test(arguments: TestEngine.allCases) func adminCannotOptInAfterAKeywordOptOutButMayOptOut(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let (_, service) = try makeService(folder, engine: engine)
            _ = try service.recordAdminDecision(email: "ann@example.com", state: .optedIn, evidence: "form", actor: "admin")
            _ = try service.handleInbound(from: "447700900001", text: "STOP")
            #expect(throws: ConsentFailure.optedOutByKeyword(email: "ann@example.com", number: "447700900001")) {
                _ = try service.recordAdminDecision(email: "ann@example.com", state: .optedIn, evidence: "form", actor: "admin")
            }
            #expect(throws: ConsentFailure.optedOutByKeyword(email: "ann@example.com", number: "447700900001")) {
                _ = try service.requestOptIn(email: "ann@example.com", source: .admin, actor: "admin")
            }
            #expect(try state(service, "ann@example.com") == .optedOut)
            #expect(throws: ConsentFailure.evidenceRequired) {
                _ = try service.recordAdminDecision(email: "bob@example.com", state: .optedOut, evidence: "  ", actor: "admin")
            }
            let out = try service.recordAdminDecision(email: "bob@example.com", state: .optedOut, evidence: "asked by phone", actor: "admin")
            #expect(out.state == .optedOut && out.source == .admin)
            // An admin opt-out does not bar a later admin opt-in.
            #expect(try service.recordAdminDecision(email: "bob@example.com", state: .optedIn, evidence: "new form", actor: "admin").state == .optedIn)
        }
    }

    /// An admin's decision is keyed by its evidence: the same one sent again (a client's retry,
    /// or the write run again after a failover) is one ledger row; new evidence is a new row.
    @Test(arguments: TestEngine.allCases) func theSameDecisionRecordedTwiceIsOneLedgerRow(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let (_, service) = try makeService(folder, engine: engine)
            let first = try service.recordAdminDecision(email: "ann@example.com", state: .optedIn, evidence: "form 12", actor: "hr")
            #expect(try service.recordAdminDecision(email: "ann@example.com", state: .optedIn, evidence: " form 12 ", actor: "hr") == first)
            #expect(try service.history(of: "ann@example.com").count == 1)
            _ = try service.recordAdminDecision(email: "ann@example.com", state: .optedIn, evidence: "form 12", actor: "it")
            _ = try service.recordAdminDecision(email: "ann@example.com", state: .optedIn, evidence: "form 13", actor: "it")
            _ = try service.recordAdminDecision(email: "ann@example.com", state: .optedOut, evidence: "form 13", actor: "it")
            _ = try service.recordAdminDecision(email: "ann@example.com", state: .optedIn, evidence: "form 13", actor: "it")
            #expect(try service.history(of: "ann@example.com").map(\.evidence) == ["form 12", "form 12", "form 13", "form 13", "form 13"])
        }
    }

    @Test(arguments: TestEngine.allCases) func numberChangeResetsConsentToNone(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let (fixture, service) = try makeService(folder, engine: engine)
            _ = try service.recordAdminDecision(email: "ann@example.com", state: .optedIn, evidence: "form", actor: "admin")
            try fixture.importCSV("email,mobile\nann@example.com,447700900099\n")
            #expect(try state(service, "ann@example.com") == .none)
            // Back to the old number: the consent given for it applies again.
            try fixture.importCSV("email,mobile\nann@example.com,447700900001\n")
            #expect(try state(service, "ann@example.com") == .optedIn)
        }
    }

    @Test(arguments: TestEngine.allCases) func helpRepliesOnlyToKnownNumbersAndUnknownNumbersGetNothing(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let (fixture, service) = try makeService(folder, engine: engine)
            #expect(try service.handleInbound(from: "447700900001", text: "HELP") == InboundOutcome(action: "help", changedUsers: [], replied: true))
            #expect(try outbox(fixture, to: "447700900001").last?.body.contains("Support: your IT service desk") == true)
            #expect(try service.handleInbound(from: "447700900777", text: "STOP").action == "unknown_number")
            #expect(try service.handleInbound(from: "447700900777", text: "HELP").action == "unknown_number")
            #expect(try outbox(fixture, to: "447700900777").isEmpty)
            #expect(try service.handleInbound(from: "not a number", text: "STOP").action == "unreadable_number")
            #expect(try fixture.count("inbound_messages") == 4)
        }
    }

    @Test(arguments: TestEngine.allCases) func optInNeedsAValidNumber(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let (_, service) = try makeService(folder, engine: engine)
            #expect(throws: ConsentFailure.self) { _ = try service.requestOptIn(email: "eve@example.com", source: .portal, actor: "portal") }
            #expect(throws: ConsentFailure.self) { _ = try service.requestOptIn(email: "dan@example.com", source: .portal, actor: "portal") }
        }
    }

    @Test(arguments: TestEngine.allCases) func ledgerRowsCannotBeUpdatedOrDeleted(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let (fixture, service) = try makeService(folder, engine: engine)
            _ = try service.recordAdminDecision(email: "ann@example.com", state: .optedIn, evidence: "form", actor: "admin")
            let connection = try fixture.connection()
            for sql in ["UPDATE consent_ledger SET state = 'opted_out'", "DELETE FROM consent_ledger"] {
                do {
                    try connection.execute(sql)
                    Issue.record("\(sql) succeeded")
                } catch let error as any SQLEngineError {
                    #expect(error.isConstraintViolation)
                    #expect(error.message.contains("consent_ledger rows are never"))
                }
            }
            #expect(try service.history(of: "ann@example.com").count == 1)
        }
    }

    @Test(arguments: TestEngine.allCases) func doctorDetectsATamperedCurrentStateTable(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let (fixture, service) = try makeService(folder, engine: engine)
            _ = try service.recordAdminDecision(email: "ann@example.com", state: .optedIn, evidence: "form", actor: "admin")
            let healthy = try DatabaseMaintenance(.testing(fixture.settings)).diagnose()
            #expect(healthy.checks.first { $0.name == "consent current state" }?.isPassing == true)
            try fixture.connection().execute("UPDATE consent_current SET state = 'opted_out'")
            let report = try DatabaseMaintenance(.testing(fixture.settings)).diagnose()
            let check = try #require(report.checks.first { $0.name == "consent current state" })
            #expect(!check.isPassing && check.detail.contains("ledger says opted_in"))
        }
    }

    @Test(arguments: TestEngine.allCases) func queriesCountOnABuiltDirectory(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let (_, service) = try makeService(folder, engine: engine)
            _ = try service.recordAdminDecision(email: "ann@example.com", state: .optedIn, evidence: "form", actor: "admin")
            _ = try service.requestOptIn(email: "bob@example.com", source: .portal, actor: "portal")
            _ = try service.handleInbound(from: "447700900002", text: "STOP")
            // ann opted in, bob and cat opted out (shared number), dan's number is not long format, eve has none.
            #expect(try service.summary(group: nil) == ConsentSummary(none: 0, pending: 0, optedIn: 1, optedOut: 2, noValidNumber: 2))
            #expect(try service.summary(group: "Staff") == ConsentSummary(none: 0, pending: 0, optedIn: 1, optedOut: 1, noValidNumber: 0))
            var optedOut: [String] = []
            try service.forEachListing(state: .optedOut, group: nil) { optedOut.append($0.email) }
            #expect(optedOut == ["bob@example.com", "cat@example.com"])
            let byNumber = try service.status(of: "+44 7700 900002")
            #expect(byNumber.map(\.email) == ["bob@example.com", "cat@example.com"])
            #expect(byNumber.allSatisfy { $0.source == .smsKeyword && $0.evidence == "STOP" })
            let history = try service.history(of: "bob@example.com")
            #expect(history.map(\.state) == [.pending, .optedOut])
            #expect(history.map(\.source) == [.portal, .smsKeyword])
        }
    }
}
