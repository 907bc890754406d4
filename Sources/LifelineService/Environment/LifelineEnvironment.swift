/// Everything the service takes from outside the process: where the database is, the time,
/// randomness, the secret, and how passwords are hashed.
///
/// Built once at the edge (the CLI's options and environment variables, or a server's
/// configuration) and passed to every service, which reads no environment variable, file-path
/// convention or terminal of its own.
public struct LifelineEnvironment: Sendable {
    /// The one handle to the database.
    public var database: Database
    public var clock: any WallClock
    public var random: any RandomSource
    /// Where the one secret behind code hashes and sealed messages is kept.
    public var secret: SecretSource
    public var passwordHasher: PasswordHasher

    public init(
        database: Database, secret: SecretSource, clock: any WallClock = SystemClock(),
        random: any RandomSource = SystemRandom(), passwordHasher: PasswordHasher = PasswordHasher()
    ) {
        self.database = database
        self.clock = clock
        self.random = random
        self.secret = secret
        self.passwordHasher = passwordHasher
    }

    /// An environment over the database at `settings`, with its work in place (the CLI's).
    public init(
        database settings: DatabaseSettings, secret: SecretSource, clock: any WallClock = SystemClock(),
        random: any RandomSource = SystemRandom(), passwordHasher: PasswordHasher = PasswordHasher()
    ) {
        self.init(database: Database(settings), secret: secret, clock: clock, random: random, passwordHasher: passwordHasher)
    }

    /// The same environment as a long-running server uses it: its database pooled, with its
    /// work in `lanes`.
    public func serving(from lanes: any DatabaseLanes) -> LifelineEnvironment {
        var served = self
        served.database = database.serving(from: lanes)
        return served
    }
}
