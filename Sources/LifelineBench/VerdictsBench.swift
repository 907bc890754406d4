import Foundation
import LifelineService

/// Verdicts per second over the values in `file` (one per line), today's normaliser and the
/// frozen baseline alternating, best of `rounds` each: "CURRENT BASELINE" per second. How many
/// verdicts differ is printed too, so the two are seen doing the same work.
func verdictRates(file: String, rounds: Int = 3) throws -> (current: Double, baseline: Double, differing: Int) {
    let values = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
    let current = PhoneNumberNormalizer()
    let baseline = BaselineNormalizer()
    var best = (current: Double.infinity, baseline: Double.infinity)
    var sink = 0
    // First use compiles the regions' automata: once per process, as in an import.
    for value in values.prefix(1_000) { sink &+= current.verdict(for: value).name.count }
    for _ in 0..<rounds {
        let baselineTime = ContinuousClock().measure {
            for value in values { sink &+= baseline.verdict(for: value).name.count }
        }
        let currentTime = ContinuousClock().measure {
            for value in values { sink &+= current.verdict(for: value).name.count }
        }
        best = (min(best.current, seconds(currentTime)), min(best.baseline, seconds(baselineTime)))
    }
    let differing = values.reduce(0) { $0 + (current.verdict(for: $1) == baseline.verdict(for: $1) ? 0 : 1) }
    if sink == 42 { print("") }  // keeps the loops' work observable
    return (Double(values.count) / best.current, Double(values.count) / best.baseline, differing)
}
