import LifelineService
import Synchronization

/// What `/readyz` says of the dispatcher's gateway: which one is configured, and whether its
/// last attempt failed for want of configuration (a rejected credential, a missing setting).
/// An unreachable provider is not a readiness failure: messages wait in the outbox, and the
/// portal, the codes' checks and the operators' reads all still work.
public final class GatewayHealth: Sendable {
    public let name: String
    private let problem = Mutex<String?>(nil)

    public init(name: String) {
        self.name = name
    }

    /// After a dispatch: nil when it went through; otherwise the failure it met.
    func record(_ failure: (any LifelineFailure)?) {
        guard let failure else { return problem.withLock { $0 = nil } }
        if failure.kind == .configuration { problem.withLock { $0 = failure.message } }
    }

    /// Why the gateway cannot send, when its configuration is what stops it.
    var configurationProblem: String? { problem.withLock { $0 } }
}
