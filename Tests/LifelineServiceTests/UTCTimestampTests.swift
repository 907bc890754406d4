import Foundation
import Testing

@testable import LifelineService

struct UTCTimestampTests {
    @Test func matchesFoundationsISO8601Text() {
        var generator = SystemRandomNumberGenerator()
        var dates = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -1), Date(timeIntervalSince1970: -0.25),
            Date(timeIntervalSince1970: 951_782_400), Date(timeIntervalSince1970: 4_107_542_399.999),
            Date(timeIntervalSince1970: 1_764_000_000.75), Date(timeIntervalSince1970: -2_208_988_800),
        ]
        for _ in 0..<2_000 {
            dates.append(Date(timeIntervalSince1970: Double.random(in: -2_000_000_000...4_000_000_000, using: &generator)))
        }
        for date in dates {
            #expect(UTCTimestamp.string(from: date) == date.formatted(.iso8601), "\(date.timeIntervalSince1970)")
        }
    }

    @Test func leapDaysAndCenturies() {
        #expect(UTCTimestamp.civilDate(daysSinceEpoch: 0) == (1970, 1, 1))
        #expect(UTCTimestamp.civilDate(daysSinceEpoch: 11_016) == (2000, 2, 29))
        // 1900 and 2100 are not leap years: February 28 is followed by March 1.
        #expect(UTCTimestamp.civilDate(daysSinceEpoch: -25_509) == (1900, 2, 28))
        #expect(UTCTimestamp.civilDate(daysSinceEpoch: -25_508) == (1900, 3, 1))
        #expect(UTCTimestamp.civilDate(daysSinceEpoch: 47_540) == (2100, 2, 28))
        #expect(UTCTimestamp.civilDate(daysSinceEpoch: 47_541) == (2100, 3, 1))
    }
}
