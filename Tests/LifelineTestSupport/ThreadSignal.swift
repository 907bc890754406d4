import Foundation
import Synchronization

/// A one-shot signal from a thread to async code, awaited without blocking the cooperative pool.
public final class ThreadSignal: Sendable {
    private let state = Mutex<(isSignaled: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    public init() {}

    public func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.isSignaled = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    public func wait() async {
        await withCheckedContinuation { continuation in
            let isSignaled = state.withLock { state -> Bool in
                if state.isSignaled { return true }
                state.waiter = continuation
                return false
            }
            if isSignaled { continuation.resume() }
        }
    }
}

/// Runs `body` on a thread of its own (blocking work, or a connection that belongs to one
/// thread) and returns when it has finished, without blocking the cooperative pool.
public func onOwnThread(_ body: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { continuation in
        Thread {
            body()
            continuation.resume()
        }.start()
    }
}
