import FoundationEssentials
import LifelineVocabulary

/// One user's line in `optin list`.
public struct ConsentListing: Sendable, Equatable {
    public let userID: Int64
    public let email: String
    /// The user's SMS attribute value, as stored.
    public let number: String?
    public let state: ConsentState
    public let source: ConsentSource?
    public let since: Date?
    /// The ledger row that set the state, if any.
    public let ledgerID: Int64?

    public init(
        userID: Int64, email: String, number: String?, state: ConsentState, source: ConsentSource?, since: Date?,
        ledgerID: Int64? = nil
    ) {
        self.ledgerID = ledgerID
        self.userID = userID
        self.email = email
        self.number = number
        self.state = state
        self.source = source
        self.since = since
    }
}

extension ConsentLedger {
    /// The SQL that gives each active user's current consent for their current, valid SMS
    /// number (`users.sms_number`), with the SMS attribute's value as stored for display.
    private static let currentByUser = """
        SELECT u.id, u.email, v.value, c.state, c.source, c.since, c.ledger_id
        FROM users u
        LEFT JOIN user_attributes v ON v.user_id = u.id AND v.attribute_id = ?1
        LEFT JOIN consent_current c ON \(Reachability.currentConsent(user: "u", consent: "c", program: "?2"))
        WHERE u.status = 'active'
          AND (CAST(?3 AS BIGINT) IS NULL OR u.id IN (SELECT user_id FROM group_memberships WHERE group_id = ?3))
        """

    /// Streams active users' current consent, by email: optionally one group's members, one
    /// state, and a page (the users after the email `after`, at most `limit` of them). Paging by
    /// the email itself keeps pages stable while others write: no user is skipped or repeated.
    public func forEachListing(
        smsAttributeID: Int64, program: Program, groupID: Int64?, state: ConsentState? = nil, after: String? = nil,
        limit: Int? = nil, _ body: (ConsentListing) throws -> Void
    ) throws {
        try connection.forEachRow(
            Self.currentByUser + """

                  AND (CAST(?4 AS TEXT) IS NULL OR coalesce(c.state, 'none') = ?4) AND (CAST(?5 AS TEXT) IS NULL OR \(connection.dialect.caseless("u.email")) > \(connection.dialect.caseless("?5")))
                ORDER BY \(connection.dialect.caseless("u.email")) LIMIT ?6
                """, smsAttributeID, program, groupID, state, after, limit ?? Int.max
        ) { row in
            try body(
                ConsentListing(
                    userID: row.int64(at: 0), email: row.string(at: 1),
                    number: row.isNull(at: 2) ? nil : row.string(at: 2),
                    state: try row.get(3, as: ConsentState?.self) ?? .none,
                    source: try row.get(4),
                    since: try row.get(5), ledgerID: try row.get(6)))
        }
    }

    /// Counts of active users per current state, plus `no_number`: users with no valid SMS
    /// number (`users.sms_number` unset: missing, invalid, or not yet in long format).
    public func summary(program: Program, groupID: Int64?) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        try connection.forEachRow(
            """
            SELECT CASE
                       WHEN u.sms_number IS NULL THEN 'no_number'
                       WHEN \(Reachability.mayBeTexted(user: "u", consent: "c")) THEN 'opted_in'
                       ELSE coalesce(c.state, 'none')
                   END AS bucket,
                   count(*)
            FROM users u
            LEFT JOIN consent_current c ON \(Reachability.currentConsent(user: "u", consent: "c", program: "?1"))
            WHERE u.status = 'active'
              AND (CAST(?2 AS BIGINT) IS NULL OR u.id IN (SELECT user_id FROM group_memberships WHERE group_id = ?2))
            GROUP BY bucket
            """, program, groupID
        ) { counts[$0.string(at: 0)] = Int($0.int64(at: 1)) }
        return counts
    }

    /// The active users whose current, valid SMS number is `number`, with their consent for it.
    public func users(withNumber number: String, program: Program) throws -> [ConsentListing] {
        try connection.query(
            """
            SELECT u.id, u.email, u.sms_number, c.state, c.source, c.since, c.ledger_id
            FROM users u
            LEFT JOIN consent_current c ON \(Reachability.currentConsent(user: "u", consent: "c", program: "?1"))
            WHERE u.sms_number = ?2 AND u.status = 'active'
            ORDER BY u.id
            """, program, number
        ) { row in
            ConsentListing(
                userID: row.int64(at: 0), email: row.string(at: 1), number: row.string(at: 2),
                state: try row.get(3, as: ConsentState?.self) ?? .none,
                source: try row.get(4), since: try row.get(5),
                ledgerID: try row.get(6))
        }
    }
}
