import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineService

/// Text from outside is bounded in bytes before anything is stored.
struct TextLimitsTests {
    /// One Character holding ten thousand combining marks: a Character count calls it 1.
    static let heavy = "a" + String(repeating: "\u{0301}", count: 10_000)

    @Test(arguments: TestEngine.allCases) func anOversizedEmailIsRefusedBeforeAnyRequestIsStored(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let setup = try VerificationFixture(folder: folder, engine: engine)
            let huge = String(repeating: "a", count: 1_900_000) + "@example.com"
            #expect(throws: TextTooLong(field: "the email", bytes: huge.utf8.count, maximumBytes: 254)) {
                _ = try setup.service.request(email: huge, purpose: .passwordReset)
            }
            let rows = try setup.fixture.connection().queryFirst("SELECT count(*) FROM verification_requests") { $0.int64(at: 0) }
            #expect(rows == 0, "not even a rejected row")
            #expect(throws: TextTooLong.self) {
                _ = try ConsentService(.testing(setup.fixture.settings)).recordAdminDecision(
                    email: "ann@example.com", state: .optedOut, evidence: String(repeating: "e", count: 2_001), actor: "admin")
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func namesAndMessagesAreCountedInScalarsNotCharacters(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let setup = try EventFixture(folder: folder, engine: engine)
            #expect(Self.heavy.count == 1)
            #expect(throws: TextTooLong.self) {
                _ = try setup.events.create(EventDraft(name: Self.heavy, group: "Staff", startMessage: "Down.", endMessage: "Up."), by: "test")
            }
            #expect(throws: EventFailure.self) {
                _ = try setup.events.create(EventDraft(name: "Mail", group: "Staff", startMessage: Self.heavy, endMessage: "Up."), by: "test")
            }
            #expect(throws: TextTooLong.self) { _ = try APIKeys(.testing(setup.fixture.settings)).create(name: Self.heavy, role: .portal) }
            #expect(EmailAddress.problem(with: String(repeating: "a", count: 60) + "@" + String(repeating: "b", count: 200) + ".com") != nil)
        }
    }
}
