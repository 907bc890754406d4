import ArgumentParser
import LifelineService

extension Lifeline {
    /// `lifeline secret`: the key behind code hashes and sealed messages.
    struct Secret: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "secret", abstract: "The secret behind verification codes and sealed messages.",
            discussion: """
                Example:
                  lifeline secret rotate
                """,
            subcommands: [Rotate.self])
    }
}

extension Lifeline.Secret {
    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Replace the key file with a new random key, saying first what it invalidates.",
            discussion: """
                Live codes made with the old key then answer `expired`, and messages waiting to be sent \
                with a sealed body fail. Without --yes, only says how many; nothing changes.

                Example:
                  lifeline secret rotate --yes
                """)
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Replace the key.") var yes = false

        func run() throws {
            let service = VerificationService(global.environment)
            let use = try service.sealedMaterial()
            let impact = "\(use.liveCodes) live code(s) and \(use.sealedMessages) unsent sealed message(s)"
            guard yes else {
                print("rotating would invalidate \(impact); run again with --yes to rotate")
                return
            }
            let keyID = try service.rotateKey()
            print("rotated: the new key's id is \(keyID); \(impact) made with the old key are invalidated")
        }
    }
}
