import Glibc
import LifelineService

/// A one-line progress display on standard error, drawn only when it is a terminal.
final class ProgressBar {
    private let isEnabled: Bool
    private var lastDraw = ContinuousClock.now
    private var hasDrawn = false

    init() {
        isEnabled = isatty(STDERR_FILENO) == 1
    }

    /// Redraws at most five times a second.
    func update(rows: Int, seconds: Double, bytesRead: Int64, totalBytes: Int64?) {
        guard isEnabled, ContinuousClock.now - lastDraw > .milliseconds(200) else { return }
        lastDraw = ContinuousClock.now
        hasDrawn = true
        let rate = seconds > 0 ? Int(Double(rows) / seconds) : 0
        var line = "\(rows.groupedByThousands) rows  \(rate.groupedByThousands) rows/s"
        if let totalBytes, totalBytes > 0 {
            let fraction = min(1, Double(bytesRead) / Double(totalBytes))
            let filled = Int(fraction * 30)
            line = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled) + "] "
                + "\(Int(fraction * 100))%  " + line
        }
        FileDescriptorWriter.standardError.writeIgnoringErrors("\r\u{1B}[K\(line)")
    }

    /// Clears the line.
    func finish() {
        guard isEnabled, hasDrawn else { return }
        FileDescriptorWriter.standardError.writeIgnoringErrors("\r\u{1B}[K")
    }
}

extension Int {
    /// "1,234,567": the progress line is English whatever the locale, like the rest of the CLI.
    var groupedByThousands: String {
        let digits = Array(String(magnitude))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return self < 0 ? "-" + text : text
    }
}
