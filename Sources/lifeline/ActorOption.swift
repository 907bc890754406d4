import ArgumentParser
import FoundationEssentials
import Glibc
import LifelineService

/// Who is acting, for the ledger and the event audit: `--actor`, else the login name.
struct ActorOption: ParsableArguments {
    @Option(help: "Who is acting, recorded in the ledger and the event audit. (default: the login name)")
    var actor: String?

    var name: String {
        ActorName.commandLine(given: actor, login: ProcessEnvironment.value("USER")).recorded
    }
}
