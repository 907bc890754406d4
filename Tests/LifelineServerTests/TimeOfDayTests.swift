import Foundation
import LifelineServer
import Testing

struct TimeOfDayTests {
    @Test func readsHoursAndMinutes() {
        #expect(TimeOfDay("03:15") == TimeOfDay("03:15") && TimeOfDay("03:15")?.hour == 3 && TimeOfDay("23:59")?.minute == 59)
        for bad in ["3:15", "24:00", "12:60", "0315", "12:5", "noon", "", "12:30:00"] {
            #expect(TimeOfDay(bad) == nil, "\(bad)")
        }
        #expect(TimeOfDay("00:05")?.description == "00:05")
    }

    /// Whatever the machine's time zone: the next moment is later, within a day (and an hour
    /// for a clock change), and at the asked time on the local clock.
    @Test(arguments: ["00:00", "03:15", "12:00", "23:59"])
    func theNextMomentIsTheNextLocalOccurrence(text: String) throws {
        let time = try #require(TimeOfDay(text))
        for start in [Date(timeIntervalSince1970: 1_800_000_000), Date(timeIntervalSince1970: 1_774_746_000)] {
            let next = time.next(after: start)
            #expect(next > start && next.timeIntervalSince(start) <= 25 * 3600)
            var seconds = time_t(next.timeIntervalSince1970)
            var parts = tm()
            localtime_r(&seconds, &parts)
            #expect(Int(parts.tm_hour) == time.hour && Int(parts.tm_min) == time.minute && parts.tm_sec == 0)
            #expect(time.next(after: next) > next, "at the moment itself, the next one is a day on")
        }
    }
}
