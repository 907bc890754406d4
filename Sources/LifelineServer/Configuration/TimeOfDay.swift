import FoundationEssentials
import Glibc

/// A time of day on the server's clock, such as `03:15` for `--purge-at`.
public struct TimeOfDay: Sendable, Equatable, CustomStringConvertible {
    public let hour: Int
    public let minute: Int

    /// `HH:MM`, 24-hour; nil when it is not one.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        self.hour = hour
        self.minute = minute
    }

    public var description: String {
        (hour < 10 ? "0" : "") + String(hour) + ":" + (minute < 10 ? "0" : "") + String(minute)
    }

    /// The first moment after `date` at this time in the local time zone (`TZ`, else the
    /// system's). mktime does the calendar: month ends, and the day a clock change skips or
    /// repeats the hour.
    public func next(after date: Date) -> Date {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        localtime_r(&seconds, &parts)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = 0
        parts.tm_isdst = -1
        var candidate = mktime(&parts)
        if Double(candidate) <= date.timeIntervalSince1970 {
            parts.tm_mday += 1
            parts.tm_hour = Int32(hour)
            parts.tm_min = Int32(minute)
            parts.tm_isdst = -1
            candidate = mktime(&parts)
        }
        return Date(timeIntervalSince1970: Double(candidate))
    }
}
