/// The SQL for users' judged SMS numbers (`users.sms_status`, `sms_number`, `sms_note`).
///
/// It stores what the service's rule decided and never judges a number itself. Writes must run
/// inside the caller's `connection.write { }` transaction.
public final class SMSNumberStore {
    public let connection: any SQLConnection
    private let update: any SQLStatement

    public init(connection: any SQLConnection) throws {
        self.connection = connection
        update = try connection.prepare("UPDATE users SET sms_status = ?, sms_number = ?, sms_note = ? WHERE id = ?")
    }

    /// Stores a user's judged number.
    public func set(_ stored: StoredSMSNumber, userID: Int64) throws {
        try update.bind(stored.status, at: 1)
        try update.bind(stored.number, at: 2)
        try update.bind(stored.note, at: 3)
        try update.bind(userID, at: 4)
        try update.run()
    }

    /// A user's judged number; nil when there is no such user.
    public func stored(userID: Int64) throws -> StoredSMSNumber? {
        try connection.queryFirst("SELECT sms_status, sms_number, sms_note FROM users WHERE id = ?", userID) { row in
            StoredSMSNumber(status: try row.get(0), number: try row.get(1), note: try row.get(2))
        }
    }

    /// Every user (active or not) with their value of `attributeID` (nil: none), by id; nil
    /// `attributeID` gives every user with no value.
    public func forEachUserValue(attributeID: Int64?, _ body: (Int64, String?) throws -> Void) throws {
        try connection.forEachRow(
            """
            SELECT u.id, v.value FROM users u
            LEFT JOIN user_attributes v ON v.user_id = u.id AND v.attribute_id = ?1
            ORDER BY u.id
            """, attributeID
        ) { row in try body(row.int64(at: 0), try row.get(1)) }
    }
}
