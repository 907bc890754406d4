import FoundationEssentials

/// Which users one import has seen, and on which line: a temporary table, private to the
/// connection and paged through its cache, so memory does not grow with the file.
public struct ImportTracking {
    public let connection: SQLiteConnection
    private let insert: SQLiteStatement

    /// Starts tracking on `connection` (inside the import's transaction), forgetting any earlier import.
    public init(connection: SQLiteConnection) throws {
        self.connection = connection
        try connection.execute(
            "CREATE TEMP TABLE IF NOT EXISTS import_seen (user_id INTEGER PRIMARY KEY, line INTEGER NOT NULL)")
        try connection.execute("DELETE FROM temp.import_seen")
        insert = try connection.prepare(
            "INSERT INTO temp.import_seen (user_id, line) VALUES (?, ?) ON CONFLICT DO NOTHING")
    }

    /// Records that `line` gave `userID`; returns the earlier line when the user was already seen.
    public func markSeen(userID: Int64, line: Int) throws -> Int? {
        try insert.bind(int64: userID, at: 1)
        try insert.bind(int64: Int64(line), at: 2)
        try insert.run()
        if connection.changes == 1 { return nil }
        return try connection.queryFirst("SELECT line FROM temp.import_seen WHERE user_id = ?", userID) {
            Int($0.int64(at: 0))
        }
    }

    /// Disables every active user with an id up to `largestID` the import did not see (users
    /// above it were created by the import); returns how many.
    public func disableUnseenUsers(upToID largestID: Int64, at date: Date) throws -> Int {
        try connection.execute(
            """
            UPDATE users SET status = 'disabled', updated_at = ?
            WHERE status = 'active' AND id <= ? AND id NOT IN (SELECT user_id FROM temp.import_seen)
            """, date, largestID)
        return connection.changes
    }

    /// Forgets the seen users.
    public func finish() throws {
        try connection.execute("DELETE FROM temp.import_seen")
    }
}
