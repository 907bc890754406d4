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
