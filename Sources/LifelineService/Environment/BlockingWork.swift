/// Where blocking work (SQLite calls) runs for async code that must not block the threads it
/// runs on. The CLI runs it in place: its process has nothing else to do meanwhile. The
/// server runs it on its writer thread, off the event loops and the cooperative pool, and in
/// line with the requests' writes, so the two never wait on SQLite's lock for each other.
public protocol BlockingWork: Sendable {
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T
}

/// Blocking work run on the caller's thread.
public struct InPlaceWork: BlockingWork {
    public init() {}

    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try work()
    }
}

/// Where each step of a flow that both reads and writes runs: reads, slow computation (password
/// hashing, a tenth of a second or more) and writes each in their place. The server puts writes
/// on its one writer thread and hashing on threads of its own, so a flood of sign-ins never
/// holds up anyone's write; the CLI runs all three in place.
public struct WorkPlaces: Sendable {
    public let reading: any BlockingWork
    public let computing: any BlockingWork
    public let writing: any BlockingWork

    public init(reading: any BlockingWork, computing: any BlockingWork, writing: any BlockingWork) {
        self.reading = reading
        self.computing = computing
        self.writing = writing
    }
}
