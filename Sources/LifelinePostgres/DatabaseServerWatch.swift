import Metrics
import Synchronization

/// What this process has seen of its database servers, counted for `/metrics`:
/// `lifeline_database_reconnects_total`, connections opened to replace ones lost (a restart,
/// a failover, a server that stopped answering), and `lifeline_database_failovers_total`, the
/// times the server that takes writes turned out to be another one than before.
enum DatabaseServerWatch {
    private struct State {
        var lostConnections = 0
        /// By database (its URL without the password): the server that last took writes, and
        /// how many times that changed.
        var writableServers: [String: (server: PostgresLocation.Endpoint, failovers: Int)] = [:]
    }

    private static let state = Mutex(State())

    /// A connection was given up as lost.
    static func lost() {
        state.withLock { $0.lostConnections += 1 }
    }

    /// A connection to `location` was opened on `endpoint`, chosen as the one that takes
    /// writes when `wantingWrites`.
    static func connected(to endpoint: PostgresLocation.Endpoint, of location: PostgresLocation, wantingWrites: Bool) {
        let (reconnected, failedOver) = state.withLock { state -> (Bool, Bool) in
            let reconnected = state.lostConnections > 0
            if reconnected { state.lostConnections -= 1 }
            guard wantingWrites else { return (reconnected, false) }
            let key = location.description
            let known = state.writableServers[key]
            let failedOver = known.map { $0.server.host != endpoint.host || $0.server.port != endpoint.port } ?? false
            state.writableServers[key] = (endpoint, (known?.failovers ?? 0) + (failedOver ? 1 : 0))
            return (reconnected, failedOver)
        }
        if reconnected { Counter(label: "lifeline_database_reconnects_total").increment() }
        if failedOver { Counter(label: "lifeline_database_failovers_total").increment() }
    }

    /// How many times this process saw the server that takes writes for `location` change.
    static func failovers(of location: PostgresLocation) -> Int {
        state.withLock { $0.writableServers[location.description]?.failovers ?? 0 }
    }
}
