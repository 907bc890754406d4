import ArgumentParser
import Glibc
import LifelineService

/// Options every command takes: where the database is and how long to wait for its lock.
struct GlobalOptions: ParsableArguments {
    @Option(help: "The database file. (default: $LIFELINE_DATABASE, else ./lifeline.db)")
    var database: String?

    @Option(help: "Milliseconds to wait while another process holds the database lock.")
    var busyTimeout: Int = 5000

    func validate() throws {
        try OptionRanges.busyTimeout.check(busyTimeout)
    }

    /// The database settings: `--database`, else `$LIFELINE_DATABASE`, else the default, and the lock wait.
    var settings: DatabaseSettings {
        DatabaseSettings(
            path: database ?? ProcessEnvironment.value("LIFELINE_DATABASE") ?? DatabaseSettings.defaultPath,
            busyTimeout: .milliseconds(busyTimeout))
    }
}
