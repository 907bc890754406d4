import LifelineService

/// One HTTP request per message, a few in flight at once, outcomes in the messages' order:
/// what every HTTP gateway does with a batch.
enum ConcurrentRequests {
    static func each(
        _ messages: [GatewayMessage], atOnce limit: Int, _ post: @escaping @Sendable (GatewayMessage) async -> GatewayOutcome
    ) async -> [GatewayOutcome] {
        var outcomes = [GatewayOutcome?](repeating: nil, count: messages.count)
        await withTaskGroup(of: (Int, GatewayOutcome).self) { group in
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
        return outcomes.map { $0 ?? .retry(reason: "no answer", after: nil) }
    }
}
