import Foundation
import Testing

extension Tag {
    /// Tests that take seconds: a server process, a 100k-row file, a browser-sized flow.
    @Tag public static var slow: Self
}

extension Trait where Self == ConditionTrait {
    /// Marks a test slow: with `LIFELINE_SKIP_SLOW` set (`LIFELINE_SKIP_SLOW=1 scripts/test
    /// --filter …`) it is skipped, so a quick run while editing stays quick. Pair it with
    /// `.tags(.slow)`, which names it so in reports.
    public static var skippedWhenQuick: Self {
        .enabled(if: ProcessInfo.processInfo.environment["LIFELINE_SKIP_SLOW"] == nil, "LIFELINE_SKIP_SLOW is set")
    }
}
