import Foundation
import LifelineService

/// A clock that says what the test tells it.
struct FixedClock: WallClock {
    let date: Date
    func now() -> Date { date }
}
