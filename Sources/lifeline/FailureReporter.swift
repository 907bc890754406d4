import ArgumentParser
import Glibc
import LifelineService

/// Turns failures into one line on standard error and the documented exit code.
enum FailureReporter {
    /// The exit code for each kind of failure (DESIGN.md, "CLI conventions").
    static func exitCode(for kind: FailureKind) -> Int32 {
        switch kind {
        case .usage: 64
        case .badInput: 65
        case .inputMissing: 66
        case .gatewayUnavailable, .databaseUnavailable: 69
        case .internal: 70
        case .busy: 75
        case .configuration: 78
        }
    }

    /// Prints `failure` and exits with its code.
    static func exit(with failure: any LifelineFailure) -> Never {
        printError(failure.description)
        Glibc.exit(exitCode(for: failure.kind))
    }

    /// Prints one `lifeline: error:` line to standard error: whatever the message carries from
    /// outside (a CSV header, an argument) is visibly escaped, so it cannot move the cursor or
    /// break the line.
    static func printError(_ text: String) {
        FileDescriptorWriter.standardError.writeIgnoringErrors("lifeline: error: \(VisibleText.escaped(text))\n")
    }
}

/// Notes for people on standard error, so standard output stays clean for scripts.
enum Diagnostics {
    static func note(_ text: String) {
        FileDescriptorWriter.standardError.writeIgnoringErrors("\(VisibleText.escaped(text))\n")
    }
}
