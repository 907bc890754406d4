import ArgumentParser
import Glibc
import LifelineService

/// Options every command takes: where the database is and how long to wait for its lock.
struct GlobalOptions: ParsableArguments {
    @Option(help: "The database: an SQLite file, or postgres://USER@HOST:PORT/DBNAME. (default: $LIFELINE_DATABASE, else ./lifeline.db)")
    var database: String?

    @Option(help: "Milliseconds to wait while another process holds the database lock.")
    var busyTimeout: Int = 5000

    func validate() throws {
        try OptionRanges.busyTimeout.check(busyTimeout)
        do {
            _ = try location
        } catch let failure as LifelineFailure {
            throw ValidationError(failure.message + (failure.remedy.map { "; \($0)" } ?? ""))
        }
    }

    /// `--database`, else `$LIFELINE_DATABASE`, else the default file.
    private var location: DatabaseLocation {
        get throws {
            try DatabaseLocation(
                database ?? ProcessEnvironment.value("LIFELINE_DATABASE") ?? DatabaseSettings.defaultPath,
                environment: ProcessEnvironment.postgresVariables)
        }
    }

    /// The database settings: where (checked by `validate()`, which runs first) and the lock wait.
    var settings: DatabaseSettings {
        DatabaseSettings(
            location: (try? location) ?? .sqlite(path: DatabaseSettings.defaultPath), busyTimeout: .milliseconds(busyTimeout))
    }
}
