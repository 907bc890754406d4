import FoundationEssentials
import LifelineStore
import LifelineVocabulary

/// A signed-in browser (or one halfway through signing in), as a page sees it.
public struct WebSession: Sendable, Equatable {
    public let area: WebArea
    public let userID: Int64
    public let email: String
    public let stage: WebSessionStage
    public let loginRequestID: String?
    public let role: ConsoleRole?
}

/// Server-side sessions of the pages: an opaque random token in the browser, its SHA-256 in the
/// database. A session ends when idle for ``idleLifetime``, ``absoluteLifetime`` after it began
/// however busy, when its user is disabled, when the user's password is reset or their console
/// role changes (every session of theirs), and (in the console) when the role is revoked; the
/// token is replaced at each step of signing in, so a token seen before sign-in is worth nothing
/// after it.
public struct WebSessions: Sendable {
    public static let idleLifetime: TimeInterval = 30 * 60
    /// A stolen cookie kept busy still dies within a working day.
    public static let absoluteLifetime: TimeInterval = 12 * 60 * 60
    /// Reading a page moves the idle clock only when it last moved this long ago: a page view is
    /// not a write each time.
    static let touchInterval: TimeInterval = 60

    public let environment: LifelineEnvironment
    var database: Database { environment.database }

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    /// A new session for the user `email` names, replacing `previousToken`'s; returns its token.
    public func begin(
        area: WebArea, email: String, stage: WebSessionStage, loginRequestID: String? = nil, replacing previousToken: String?
    ) throws -> String {
        let token = environment.random.hex(32)
        let now = environment.clock.now()
        try database.write { connection in
            guard let user = try DirectoryStore(connection: connection).user(email: email.trimmingBlanks()) else {
                throw DirectoryFailure.userNotFound(email: email)
            }
            let store = WebSessionStore(connection: connection)
            if let previousToken { _ = try store.delete(tokenSHA256: Hex.sha256(of: previousToken)) }
            try store.insert(
                tokenSHA256: Hex.sha256(of: token), area: area, userID: user.id, stage: stage, loginRequestID: loginRequestID,
                at: now)
        }
        return token
    }

    /// What a lookup leaves to write: nothing, the idle clock to move, or the session to delete.
    public enum Upkeep: Sendable, Equatable {
        case none, touch, expire
    }

    /// The live session of `token` in `area`, or nil (unknown, idle too long, another area, or
    /// its user disabled), and the write it calls for; reads only, so a server can look up on
    /// its readers and leave the rare write to its writer (``keep(token:_:)``).
    public func lookUp(token: String, area: WebArea) throws -> (session: WebSession?, upkeep: Upkeep) {
        guard token.utf8.count == 64 else { return (nil, .none) }
        let now = environment.clock.now()
        return try database.read { connection in
            guard let record = try WebSessionStore(connection: connection).session(tokenSHA256: Hex.sha256(of: token)),
                record.area == area
            else { return (nil, .none) }
            let idle = now.timeIntervalSince(record.lastSeenAt)
            if idle >= Self.idleLifetime || now.timeIntervalSince(record.createdAt) >= Self.absoluteLifetime { return (nil, .expire) }
            let session = WebSession(
                area: record.area, userID: record.userID, email: record.email, stage: record.stage,
                loginRequestID: record.loginRequestID, role: record.role)
            return (session, idle >= Self.touchInterval ? .touch : .none)
        }
    }

    /// Writes what ``lookUp(token:area:)`` called for.
    public func keep(token: String, _ upkeep: Upkeep) throws {
        guard upkeep != .none else { return }
        let now = environment.clock.now()
        try database.write { connection in
            let store = WebSessionStore(connection: connection)
            if upkeep == .touch {
                try store.touch(tokenSHA256: Hex.sha256(of: token), at: now)
            } else {
                _ = try store.delete(tokenSHA256: Hex.sha256(of: token))
            }
        }
    }

    /// Signs out.
    public func end(token: String) throws {
        try database.write { connection in _ = try WebSessionStore(connection: connection).delete(tokenSHA256: Hex.sha256(of: token)) }
    }

    /// Deletes sessions idle too long and spent captcha challenges past their expiry.
    public func purge() throws -> (sessions: Int, challenges: Int) {
        let now = environment.clock.now()
        return try database.write { connection in
            let store = WebSessionStore(connection: connection)
            return (
                try store.deleteExpired(
                    idleBefore: now.addingTimeInterval(-Self.idleLifetime), createdBefore: now.addingTimeInterval(-Self.absoluteLifetime)),
                try store.deleteSpentChallenges(expiredBefore: now)
            )
        }
    }
}
