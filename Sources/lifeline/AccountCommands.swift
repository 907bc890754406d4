import ArgumentParser
import LifelineService

extension MessageChannel: ExpressibleByArgument {}

extension Lifeline {
    /// `lifeline reset`: the self-service password reset.
    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset", abstract: "Self-service password reset: start, verify the code, complete.",
            discussion: """
                Examples:
                  lifeline reset start ann.lee@example.com --request-id portal-7
                  lifeline reset verify portal-7 482913
                  lifeline reset complete portal-7 --password-stdin < new-password.txt
                """,
            subcommands: [Start.self, Verify.self, Complete.self])
    }

    /// `lifeline auth`: password login with 2-step by SMS.
    struct Auth: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "auth", abstract: "Login: check a password, then the 2-step code when the profile asks for one.",
            discussion: """
                Examples:
                  lifeline auth check ann.lee@example.com --password-stdin < password.txt
                  lifeline auth verify vr-0d3c… 482913
                """,
            subcommands: [Check.self, Verify.self])
    }
}

extension Lifeline.Reset {
    struct Start: ParsableCommand {
        /// The one answer every start gets, so it reveals nothing about the email.
        static let answer = PasswordResetService.uniformAnswer

        static let configuration = CommandConfiguration(
            commandName: "start", abstract: "What the portal calls when a user asks to reset their password.",
            discussion: """
                The answer and exit code are the same whether or not the email exists, is disabled, or may \
                use the method; it always includes the request id.

                Example:
                  lifeline reset start ann.lee@example.com --method sms --request-id portal-7
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The user's primary email.") var email: String
        @Option(help: "Where the code goes: sms or email.") var method: MessageChannel = PasswordResetService.defaultMethod
        @Option(help: "The portal's id for this request: repeating it returns the first outcome and sends nothing.")
        var requestID: String?

        func run() throws {
            let requestID = try PasswordResetService(global.environment).start(
                email: email, method: method, requestID: requestID)
            ResultWriter(format: output.format).print(
                .record([("request_id", .text(requestID)), ("message", .text(Self.answer))]))
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify", abstract: "Check the reset code; approval then lasts \(Int(PasswordResetService.approvalLifetime / 60)) minutes.",
            discussion: """
                Exit codes as for `codes verify`: 0 approved, 10–15 the refusals.

                Example:
                  lifeline reset verify portal-7 482913
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The request id `reset start` printed.") var requestID: String
        @Argument(help: "The code the user typed.") var code: String

        func run() throws {
            try VerificationAnswer.print(try PasswordResetService(global.environment).verify(requestID: requestID, code: code))
        }
    }

    struct Complete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "complete", abstract: "Set the new password of an approved reset (once).",
            discussion: """
                The password is read from standard input (one line), never from the command line.

                Example:
                  lifeline reset complete portal-7 --password-stdin < new-password.txt
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The approved request id.") var requestID: String
        @OptionGroup var password: PasswordInput

        func run() throws {
            let service = PasswordResetService(global.environment)
            try service.complete(requestID: requestID, password: try password.read())
            print("password changed")
        }
    }
}

extension Lifeline.Auth {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check", abstract: "What a login form calls: check the email and password.",
            discussion: """
                Prints the state. Exit codes: 0 authenticated, 20 invalid_credentials (wrong password, unknown \
                or disabled account: one answer), 21 second_factor_required or number_verification_required \
                (a code was sent: finish with `auth verify`), 22 second_factor_unavailable.

                Example:
                  lifeline auth check ann.lee@example.com --password-stdin < password.txt
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The user's primary email.") var email: String
        @OptionGroup var password: PasswordInput

        func run() throws {
            let outcome = try LoginService(global.environment)
                .check(email: email, password: try password.read())
            let (requestID, detail, exitCode): (String?, String?, Int32) =
                switch outcome {
                case .authenticated: (nil, nil, 0)
                case .invalidCredentials: (nil, nil, 20)
                case .secondFactorRequired(let id, let newNumber):
                    (id, newNumber ? "the SMS number changed: the code went to the new number" : nil, 21)
                case .secondFactorUnavailable(let reason, _): (nil, reason, 22)
                }
            var fields: [(String, Cell)] = [("state", .text(outcome.word)), ("request_id", Cell(requestID)), ("detail", Cell(detail))]
            if case .secondFactorUnavailable(_, let retryAfter) = outcome {
                fields.append(("retry_after", retryAfter.map(Cell.date) ?? .null))
            }
            ResultWriter(format: output.format).print(.record(fields))
            if exitCode != 0 { throw ExitCode(exitCode) }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify", abstract: "Finish a 2-step login with the code.",
            discussion: """
                Prints `authenticated` (exit 0) or the refusal, with the exit codes of `codes verify` (10–15).

                Example:
                  lifeline auth verify vr-0d3c1bd4217b22d0bf171d92c2f9f75f 482913
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The request id `auth check` printed.") var requestID: String
        @Argument(help: "The code the user typed.") var code: String

        func run() throws {
            let verification = try LoginService(global.environment).verify(requestID: requestID, code: code)
            guard verification.check == .approved else { return try VerificationAnswer.print(verification.check) }
            print(verification.numberChanged ? "authenticated (new 2-step number verified; the old one was told)" : "authenticated")
        }
    }
}

/// `--password-stdin`: passwords come on standard input, never as arguments (which `ps` and
/// shell history would show).
struct PasswordInput: ParsableArguments {
    @Flag(help: "Read the password from standard input (required).") var passwordStdin = false

    func validate() throws {
        guard passwordStdin else {
            throw ValidationError("give --password-stdin and the password on standard input (never as an argument)")
        }
    }

    /// The first line of standard input, without its line ending.
    func read() throws -> String {
        guard var line = readLine(strippingNewline: true) else { throw AccountFailure.emptyPassword }
        if line.hasSuffix("\r") { line.removeLast() }
        return line
    }
}

/// The verification outcomes as `codes verify`, `reset verify` and `auth verify` print them.
enum VerificationAnswer {
    static func print(_ check: VerificationCheck) throws {
        if case .incorrect(let left) = check {
            Swift.print("incorrect (\(left) attempt\(left == 1 ? "" : "s") left)")
        } else {
            Swift.print(check.name)
        }
        let code = exitCode(for: check)
        if code != 0 { throw ExitCode(code) }
    }

    static func exitCode(for check: VerificationCheck) -> Int32 {
        switch check {
        case .approved: 0
        case .incorrect: 10
        case .expired: 11
        case .maxAttemptsReached: 12
        case .alreadyUsed: 13
        case .superseded: 14
        case .notFound: 15
        }
    }
}

