import ArgumentParser

/// The documented range of a numeric option. A value outside it is a usage error (exit 64)
/// that names the option and the range, before anything multiplies or converts it: `.seconds`,
/// `Int32(…)` and `Int(rate)` trap on values that do not fit, which killed the process.
struct OptionRange<Value: Comparable & CustomStringConvertible & Sendable>: Sendable {
    let option: String
    let range: ClosedRange<Value>
    let unit: String

    /// A NaN compares false with everything, so it is outside every range too.
    func check(_ value: Value) throws {
        guard range.contains(value) else {
            throw ValidationError("\(option) must be from \(range.lowerBound) to \(range.upperBound) \(unit), not \(value)")
        }
    }
}

enum OptionRanges {
    static let busyTimeout = OptionRange(option: "--busy-timeout", range: 0...3_600_000, unit: "milliseconds")
    static let dispatchLimit = OptionRange(option: "--limit", range: 1...100_000_000, unit: "messages")
    static let dispatchRate = OptionRange(option: "--rate", range: 0.01...100_000.0, unit: "messages per second")
    static let leaseSeconds = OptionRange(option: "--lease-seconds", range: 0...86_400, unit: "seconds")
    static let addressLimit = OptionRange(option: "--address-limit", range: 1...100_000, unit: "requests a minute")
    static let emailLimit = OptionRange(option: "--email-limit", range: 1...10_000, unit: "requests a minute")
    static let provisioningLimit = OptionRange(option: "--provisioning-limit", range: 1...1_000_000, unit: "requests a minute")
    static let purgeBatchSize = OptionRange(option: "--batch-size", range: 1...1_000_000, unit: "rows")
    /// `--older-than`, in seconds: up to ten years.
    static let purgeAgeSeconds: ClosedRange<Int> = 0...(3650 * 86_400)
}
