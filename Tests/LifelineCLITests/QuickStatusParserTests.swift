import ArgumentParser
import Testing

@testable import lifeline

/// The quick `optin status` path must read arguments exactly as ArgumentParser does, or step aside.
struct QuickStatusParserTests {
    /// What ArgumentParser makes of the same arguments, as a lookup (nil if it is not a status command).
    private func parsedByArgumentParser(_ arguments: [String]) -> StatusLookup? {
        guard let command = try? Lifeline.parseAsRoot(arguments) as? Lifeline.Optin.Status else { return nil }
        return StatusLookup(
            database: command.global.database, busyTimeoutMilliseconds: command.global.busyTimeout,
            format: command.output.format, who: command.who)
    }

    @Test(arguments: [
        ["optin", "status", "447700900123"],
        ["--database", "x.db", "optin", "status", "+44 7700 900123"],
        ["optin", "status", "ann@example.com", "--format", "json"],
        ["optin", "status", "ann@example.com", "--format=csv", "--database=/tmp/a b.db"],
        ["--busy-timeout", "250", "optin", "status", "447700900123", "--database", "y.db"],
        ["optin", "--database", "z.db", "status", "447700900123"],
    ])
    func takesThePlainFormsAndReadsThemAsArgumentParserDoes(arguments: [String]) throws {
        let quick = try #require(QuickStatusParser.lookup(from: arguments))
        #expect(quick == parsedByArgumentParser(arguments))
    }

    @Test(arguments: [
        ["optin", "status"],
        ["optin", "status", "--help"],
        ["optin", "status", "-h"],
        ["optin", "status", "a@b.c", "--format", "xml"],
        ["optin", "status", "a@b.c", "--format"],
        ["optin", "status", "a@b.c", "--database", "a.db", "--database", "b.db"],
        ["optin", "status", "a@b.c", "--busy-timeout", "-5"],
        ["optin", "status", "a@b.c", "--busy-timeout", "soon"],
        ["optin", "status", "a@b.c", "--verbose"],
        ["optin", "status", "a@b.c", "extra"],
        ["optin", "list"],
        ["status", "optin", "a@b.c"],
        ["optin", "status", "-447700900123"],
        ["--version"],
        [],
    ])
    func leavesEverythingElseToArgumentParser(arguments: [String]) {
        #expect(QuickStatusParser.lookup(from: arguments) == nil)
    }

    @Test(arguments: [(0, "0"), (999, "999"), (1000, "1,000"), (1_234_567, "1,234,567"), (-45_000, "-45,000")])
    func groupsThousandsForTheProgressLine(value: Int, text: String) {
        #expect(value.groupedByThousands == text)
    }
}
