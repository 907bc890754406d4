/// The providers a dispatcher sends through, in order of preference, and how one batch is
/// spread over them.
///
/// A batch goes to the first provider whose breaker lets traffic through (or lets one probe
/// message through, when its cool-down is over). Each message starts at the time the
/// provider's pace gives it. What a provider is known not to have accepted (a server error, a
/// connection that never opened, a 429) moves at once to the next provider that can take it;
/// what it may have accepted (no answer) is counted as `maybe_sent` and sent again. What no
/// provider took goes back to the queue.
public final class ProviderChain: Sendable {
    public let providers: [SMSProvider]

    /// Sub-batches of a paced provider: the messages whose start times fall this close together
    /// go to the gateway in one call. Short, because each goes at the first one's time, up to
    /// this much early: at 20 ms, a provider paced at 150 a second saw 150 in a 0.95 s window.
    static let startWindow: Duration = .milliseconds(2)
    /// An unpaced provider's first call of a batch: enough for its breaker to open (three
    /// failures in a row) before the rest is sent.
    static let leadingMessages = 64

    public init(_ providers: [SMSProvider]) {
        precondition(!providers.isEmpty, "a dispatcher needs a provider")
        self.providers = providers
    }

    /// One gateway, paced at `rate` parts a second.
    public convenience init(_ gateway: any MessageGateway & Sendable, rate: Double? = nil) {
        self.init([SMSProvider(gateway: gateway, rate: rate)])
    }

    /// A provider the chain may use now, and whether only a probe.
    struct Choice {
        let index: Int
        let probe: Bool
    }

    /// The first provider that may be used now, not among `excluded`; reserves its probe.
    func choose(at now: ContinuousClock.Instant, excluding excluded: Set<Int> = []) -> Choice? {
        for (index, provider) in providers.enumerated() where !excluded.contains(index) {
            switch provider.permission(at: now) {
            case .traffic: return Choice(index: index, probe: false)
            case .probe: return Choice(index: index, probe: true)
            case .none: continue
            }
        }
        return nil
    }

    /// Why nothing can be sent, when every provider is out of use for its configuration.
    public func configurationFailure() -> GatewayFailure? {
        let problems = providers.map { ($0.name, $0.report().configurationProblem) }
        guard problems.allSatisfy({ $0.1 != nil }) else { return nil }
        return .notConfigured(
            variable: problems.map { "the \($0.0) provider" }.joined(separator: ", "),
            reason: "refused Lifeline's credentials: " + problems.compactMap(\.1).joined(separator: "; "))
    }

    /// How fast messages go out now: through the first provider that takes traffic.
    public func pace(at now: ContinuousClock.Instant = .now) -> DispatchPace {
        guard let report = reports(at: now).first(where: { $0.health == .up || $0.health == .probing }) else { return .stopped }
        return report.rate.map { .paced(provider: report.name, partsPerSecond: $0) } ?? .unpaced(provider: report.name)
    }

    public func reports(at now: ContinuousClock.Instant = .now) -> [ProviderReport] {
        providers.map { $0.report(at: now) }
    }

    /// What became of one message of a batch.
    enum Delivery: Equatable {
        case sent(provider: String, providerID: String?, maybeSent: Int)
        case failed(reason: String, maybeSent: Int)
        /// No provider took it: back to the queue, not before `after` when a provider asked.
        case notSent(reason: String, after: Duration?, maybeSent: Int)
    }

    /// What a batch did.
    struct BatchResult {
        var deliveries: [Delivery]
        /// A provider moved the batch's messages on to another.
        var failovers = 0
        /// When no message reached any provider because each one tried threw: the last error.
        var thrown: (any Error)?
    }

    /// Sends `messages` starting with `first` and moving on down the chain; `retry` says which
    /// attempt is a message's last.
    func deliver(_ messages: [GatewayMessage], startingWith first: Choice, retry: RetryPolicy = RetryPolicy()) async -> BatchResult {
        var deliveries = [Delivery?](repeating: nil, count: messages.count)
        var maybeSent = [Int](repeating: 0, count: messages.count)
        var lastRefusal = [(reason: String, after: Duration?)?](repeating: nil, count: messages.count)
        var pending = Array(messages.indices)
        var tried: Set<Int> = []
        var failovers = 0
        var everyAttemptThrew = true
        var lastThrown: (any Error)?
        var choice: Choice? = first
        while let current = choice, !pending.isEmpty {
            let provider = providers[current.index]
            let sending = current.probe ? Array(pending.prefix(1)) : pending
            let held = current.probe ? Array(pending.dropFirst()) : []
            let attempt = await send(sending.map { messages[$0] }, through: provider, retry: retry)
            if attempt.thrown == nil { everyAttemptThrew = false } else { lastThrown = attempt.thrown }
            pending = held
            for (index, outcome) in zip(sending, attempt.outcomes) {
                switch outcome {
                case .sent(let providerID)?:
                    deliveries[index] = .sent(provider: provider.name, providerID: providerID, maybeSent: maybeSent[index])
                case .failed(let reason)?:
                    deliveries[index] = .failed(reason: reason, maybeSent: maybeSent[index])
                case .retry(let reason, let after)?, .throttled(let reason, let after)?:
                    lastRefusal[index] = ("\(provider.name): \(reason)", after)
                    pending.append(index)
                case .unknown(let reason)?:
                    // It may have gone out: a repeat is counted, and beats a lost alert.
                    maybeSent[index] += 1
                    lastRefusal[index] = ("\(provider.name): \(reason)", nil)
                    pending.append(index)
                case nil:
                    // Not tried: the provider's breaker opened before its turn came.
                    lastRefusal[index] = lastRefusal[index] ?? ("\(provider.name) stopped taking messages", nil)
                    pending.append(index)
                }
            }
            guard !pending.isEmpty else { break }
            pending.sort()
            // A probe that succeeded closed the breaker: the rest of the batch goes the same way.
            if !(current.probe && provider.isTakingTraffic) { tried.insert(current.index) }
            choice = choose(at: .now, excluding: tried)
            if let next = choice, next.index != current.index { failovers += 1 }
        }
        for index in pending {
            let refusal = lastRefusal[index] ?? ("no provider could take it", nil)
            deliveries[index] = .notSent(reason: refusal.reason, after: refusal.after, maybeSent: maybeSent[index])
        }
        return BatchResult(
            deliveries: deliveries.map { $0 ?? .notSent(reason: "no provider could take it", after: nil, maybeSent: 0) },
            failovers: failovers, thrown: everyAttemptThrew ? lastThrown : nil)
    }

    /// One provider's go at some messages: an outcome for each it tried (nil for those its
    /// breaker stopped before their turn), or the error it threw for the lot.
    struct Attempt {
        var outcomes: [GatewayOutcome?]
        var thrown: (any Error)?
    }

    private func send(_ messages: [GatewayMessage], through provider: SMSProvider, retry: RetryPolicy) async -> Attempt {
        guard provider.isPaced else {
            // A few first, then the rest in one call: a provider that fails the first few (its
            // breaker opens) is not sent thousands more before the batch moves on.
            let lead = min(messages.count, Self.leadingMessages)
            let first = await sendAtOnce(Array(messages.prefix(lead)), through: provider, retry: retry)
            guard lead < messages.count else { return first }
            guard provider.isTakingTraffic else {
                return Attempt(outcomes: first.outcomes + Array(repeating: nil, count: messages.count - lead), thrown: first.thrown)
            }
            let rest = await sendAtOnce(Array(messages.dropFirst(lead)), through: provider, retry: retry)
            return Attempt(outcomes: first.outcomes + rest.outcomes, thrown: first.thrown == nil ? nil : rest.thrown)
        }
        // Paced: each sub-batch starts at its reserved time, without waiting for the answers to
        // the ones before it, so a slow provider is still paced, not serialised. Until the first
        // answer is back, no more than the leading messages go: a provider that is down is not
        // sent a whole fast batch before its breaker can open.
        var outcomes = [GatewayOutcome?](repeating: nil, count: messages.count)
        var thrown: (any Error)?
        await withTaskGroup(of: (range: Range<Int>, attempt: Attempt).self) { group in
            func keep(_ answer: (range: Range<Int>, attempt: Attempt)) {
                if let error = answer.attempt.thrown { thrown = error }
                for (offset, outcome) in answer.attempt.outcomes.enumerated() { outcomes[answer.range.lowerBound + offset] = outcome }
            }
            var next = 0
            var answered = false
            while next < messages.count {
                if !answered, next >= Self.leadingMessages, let answer = await group.next() {
                    keep(answer)
                    answered = true
                    guard provider.isTakingTraffic else { break }
                }
                let now = ContinuousClock.now
                let start = provider.reserve(parts: SMSLength(body: messages[next].body).segments, at: now)
                var end = next + 1
                while end < messages.count, end - next < 100, provider.nextStart(at: now) <= start + Self.startWindow {
                    _ = provider.reserve(parts: SMSLength(body: messages[end].body).segments, at: now)
                    end += 1
                }
                if start > now { try? await Task.sleep(until: start, clock: .continuous) }
                // A breaker that opened while this sub-batch waited: the rest go elsewhere.
                guard next == 0 || provider.isTakingTraffic else { break }
                let range = next..<end
                let slice = Array(messages[range])
                group.addTask { (range, await self.sendAtOnce(slice, through: provider, retry: retry)) }
                next = end
            }
            for await answer in group { keep(answer) }
        }
        return Attempt(outcomes: outcomes, thrown: outcomes.allSatisfy { $0 == nil || $0?.wasNotAccepted == true } ? thrown : nil)
    }

    /// One gateway call; its outcomes recorded on the provider's breaker, pace and counts.
    private func sendAtOnce(_ messages: [GatewayMessage], through provider: SMSProvider, retry: RetryPolicy) async -> Attempt {
        do {
            let outcomes = try await provider.gateway.send(messages)
            let now = ContinuousClock.now
            for (message, outcome) in zip(messages, outcomes) {
                provider.record(outcome, at: now, wasLastAttempt: !retry.allowsAnother(after: message.attempt))
            }
            // A gateway that answered for fewer messages than it was given sent none of the rest.
            let missing = max(0, messages.count - outcomes.count)
            return Attempt(
                outcomes: Array(outcomes.prefix(messages.count))
                    + Array(repeating: .retry(reason: "the gateway gave no outcome for it", after: nil), count: missing))
        } catch {
            provider.record(thrown: error, messages: messages.count, at: .now)
            let reason = "\(error)"
            return Attempt(outcomes: messages.map { _ in .retry(reason: reason, after: nil) }, thrown: error)
        }
    }
}

/// How fast the dispatcher sends now, for the on-call's "how long until everyone has it".
public enum DispatchPace: Sendable, Equatable {
    case paced(provider: String, partsPerSecond: Double)
    /// As fast as the provider takes them (the file, a relay).
    case unpaced(provider: String)
    /// No provider takes messages now: they wait until one recovers.
    case stopped

    /// How long `parts` SMS parts take at this pace; nil when unpaced or stopped.
    public func timeToSend(parts: Int) -> Duration? {
        guard case .paced(_, let rate) = self, rate > 0 else { return nil }
        return .seconds(Double(parts) / rate)
    }
}
