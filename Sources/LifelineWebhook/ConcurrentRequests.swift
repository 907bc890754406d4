import LifelineService

/// One HTTP request per message, a few in flight at once, outcomes in the messages' order:
/// what every HTTP gateway does with a batch.
enum ConcurrentRequests {
    /// One message's answer: its outcome, and the HTTP status when there was one.
    struct Answer: Sendable {
        let outcome: GatewayOutcome
        let status: Int?
    }

    /// Throws ``GatewayFailure/notConfigured(variable:reason:)`` when the provider refused
    /// every request's credentials (401 or 403): that is Lifeline's configuration, not the
    /// messages', so the batch goes back to wait for a fix instead of failing message by message.
    static func each(
        _ messages: [GatewayMessage], atOnce limit: Int, credentials: String,
        _ post: @escaping @Sendable (GatewayMessage) async -> Answer
    ) async throws -> [GatewayOutcome] {
        var outcomes = [Answer?](repeating: nil, count: messages.count)
        await withTaskGroup(of: (Int, Answer).self) { group in
            var next = 0
            func startNext() {
                let index = next
                next += 1
                group.addTask { (index, await post(messages[index])) }
            }
            while next < min(max(limit, 1), messages.count) { startNext() }
            for await (index, outcome) in group {
                outcomes[index] = outcome
                if next < messages.count { startNext() }
            }
        }
        let answers = outcomes.map { $0 ?? Answer(outcome: .retry(reason: "no answer", after: nil), status: nil) }
        if let refused = answers.first?.status, refused == 401 || refused == 403,
            answers.allSatisfy({ $0.status == 401 || $0.status == 403 })
        {
            throw GatewayFailure.notConfigured(
                variable: credentials, reason: "was refused by the provider (HTTP \(refused)); nothing was sent, and the messages wait")
        }
        return answers.map(\.outcome)
    }
}
