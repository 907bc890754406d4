import Foundation
import LifelineService
import Synchronization

/// A clock the test moves by hand.
public final class MovingClock: WallClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_764_000_000)) { current = Mutex(start) }

    public func now() -> Date { current.withLock { $0 } }
    public func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
