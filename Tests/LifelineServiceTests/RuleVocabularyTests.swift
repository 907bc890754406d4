import Foundation
import LifelineStore
import Testing

@testable import LifelineService

/// Rules that each live in one place, which every edge asks: an event's lifecycle, what a
/// receipt says, and the role ladder.
struct RuleVocabularyTests {
    @Test func anEventsLifecycleIsWrittenDownOnce() {
        #expect(EventState.draft.allowedTransitions == [.start, .cancel])
        #expect(EventState.active.allowedTransitions == [.end])
        #expect(EventState.ended.allowedTransitions.isEmpty && EventState.cancelled.allowedTransitions.isEmpty)
        #expect(EventState.draft.hasMessagesToSend && EventState.active.hasMessagesToSend)
        #expect(!EventState.ended.hasMessagesToSend && !EventState.cancelled.hasMessagesToSend)
        for transition in EventTransition.allCases {
            #expect(transition.from.allowedTransitions.contains(transition) && transition.from != transition.to)
        }
    }

    @Test func providersWordsAreReadIntoOneReceiptVocabulary() {
        #expect(ReceiptStatus(providerWord: "delivered") == .delivered)
        #expect(ReceiptStatus(providerWord: "undelivered") == .undelivered)
        #expect(ReceiptStatus(providerWord: "failed") == .undelivered, "Twilio's word")
        for interim in ["queued", "sent", "accepted", "sending", ""] { #expect(ReceiptStatus(providerWord: interim) == nil) }
        #expect(ReceiptStatus.delivered.outboxStatus == .delivered && ReceiptStatus.undelivered.outboxStatus == .failed)
    }

    @Test func oneRoleLadderForKeysAndConsoleAccounts() {
        #expect(APIKeyRole.admin.includes(.operator) && APIKeyRole.operator.includes(.portal))
        #expect(!APIKeyRole.portal.includes(.operator) && !APIKeyRole.operator.includes(.admin))
        // Provisioning is off the ladder: it reaches only its own routes, and only it reaches them.
        #expect(APIKeyRole.provisioning.includes(.provisioning))
        #expect(APIKeyRole.allCases.filter { $0 != .provisioning }.allSatisfy { !$0.includes(.provisioning) && !APIKeyRole.provisioning.includes($0) })
        #expect(ConsoleRole.admin.includes(.operator) && ConsoleRole.operator.includes(.operator))
        #expect(!ConsoleRole.operator.includes(.admin))
        #expect(ConsoleRole.allCases.allSatisfy { $0.level.rawValue == $0.rawValue }, "the same words on both")
    }

    @Test func eachKindOfActorIsSpelledOneWay() {
        #expect(ActorName.commandLine(given: "hr", login: "ann").recorded == "hr")
        #expect(ActorName.commandLine(given: nil, login: "ann").recorded == "cli:ann")
        #expect(ActorName.commandLine(given: nil, login: nil).recorded == "cli")
        #expect(ActorName.apiKey(name: "ops-tools").recorded == "api:ops-tools")
        #expect(ActorName.console(email: "ann@example.com").recorded == "console:ann@example.com")
        #expect(ActorName.portal.recorded == "portal" && ActorName.sms(number: "447700900001").recorded == "sms:447700900001")
    }
}

extension RuleVocabularyTests {
    /// A draft's check is the service's alone: every problem at once, by field, for the form to
    /// show beside each; `create` refuses on the same list.
    @Test func aDraftReportsEveryFieldsProblemAtOnce() {
        let later = Date(timeIntervalSince1970: 2_000_000)
        let draft = EventDraft(
            name: " ", group: "Staff", startMessage: "{nmae} hello", endMessage: "fine",
            startsAt: later, endsAt: later.addingTimeInterval(-60))
        #expect(draft.problems().map(\.field) == [.name, .startMessage, .times])
        #expect(EventDraft(name: "Outage", group: "Staff", startMessage: "a", endMessage: "b").problems().isEmpty)
    }
}
