import Glibc
import Hummingbird

/// How many connections the server holds at once, and how long one may sit silent.
///
/// Every connection is a file descriptor, and so are the database's files, the spool and the
/// threads' wake-up pipes: a server that accepts past its descriptor limit fails in ways that
/// are hard to read ("unable to open database file"), or crashes. So at start the soft limit is
/// raised to the hard one, and connections are bounded well below it; past the bound, new
/// connections wait in the kernel's backlog rather than being accepted.
public enum ConnectionLimits {
    /// A connection with no request part arriving for this long is closed: idle between
    /// requests, or a client that sent half a head or half a body and stopped.
    public static let idleTimeout: Duration = .seconds(30)
    /// How long a stopping server waits for requests in flight before it closes what is left.
    public static let shutdownDeadline: Duration = .seconds(10)
    /// Descriptors kept back for everything that is not a client connection.
    static let reserved = 256

    /// Raises the soft descriptor limit to the hard one; returns the connection bound that
    /// leaves ``reserved`` descriptors free (never below 32).
    public static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1_024 - reserved }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        // rlim_cur may be RLIM_INFINITY; a bound past 100,000 connections means nothing here.
        let usable = Int(min(limit.rlim_cur, 100_000 + rlim_t(reserved)))
        return max(32, usable - reserved)
    }
}
