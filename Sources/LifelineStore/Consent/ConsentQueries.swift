import FoundationEssentials

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
    /// The SQL that gives each active user's current consent for their current SMS number.
    /// Consent only ever exists for long-format numbers, so a value that is not one finds no row.
    private static let currentByUser = """
        SELECT u.id, u.email, v.value, c.state, c.source, c.since, c.ledger_id
        FROM users u
        LEFT JOIN user_attributes v ON v.user_id = u.id AND v.attribute_id = ?1
        LEFT JOIN consent_current c ON c.user_id = u.id AND c.program = ?2 AND c.number = v.value
        WHERE u.status = 'active'
          AND (?3 IS NULL OR u.id IN (SELECT user_id FROM group_memberships WHERE group_id = ?3))
        """

    /// Streams every active user's current consent, by email, optionally one group's members.
    public func forEachListing(
        smsAttributeID: Int64, program: String, groupID: Int64?, _ body: (ConsentListing) throws -> Void
    ) throws {
        try connection.forEachRow(Self.currentByUser + " ORDER BY u.email", smsAttributeID, program, groupID) { row in
            try body(
                ConsentListing(
                    userID: row.int64(at: 0), email: row.string(at: 1),
                    number: row.isNull(at: 2) ? nil : row.string(at: 2),
                    state: row.isNull(at: 3) ? .none : ConsentState(rawValue: row.string(at: 3)) ?? .none,
                    source: row.isNull(at: 4) ? nil : ConsentSource(rawValue: row.string(at: 4)),
                    since: try row.get(5), ledgerID: try row.get(6)))
        }
    }

    /// Counts of active users per current state, plus `noNumber`: users whose SMS value is
    /// missing or not shaped like a long-format number (digits only, 7-15, no leading zero).
    public func summary(smsAttributeID: Int64, program: String, groupID: Int64?) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        try connection.forEachRow(
            """
            SELECT CASE
                       WHEN c.state IS NOT NULL THEN c.state
                       WHEN v.value IS NULL OR length(v.value) NOT BETWEEN 7 AND 15
                            OR v.value GLOB '*[^0-9]*' OR v.value GLOB '0*' THEN 'no_number'
                       ELSE 'none'
                   END AS bucket, count(*)
            FROM users u
            LEFT JOIN user_attributes v ON v.user_id = u.id AND v.attribute_id = ?1
            LEFT JOIN consent_current c ON c.user_id = u.id AND c.program = ?2 AND c.number = v.value
            WHERE u.status = 'active'
              AND (?3 IS NULL OR u.id IN (SELECT user_id FROM group_memberships WHERE group_id = ?3))
            GROUP BY bucket
            """, smsAttributeID, program, groupID
        ) { counts[$0.string(at: 0)] = Int($0.int64(at: 1)) }
        return counts
    }

    /// The active users whose current SMS value is `number`, with their consent for it.
    public func users(withNumber number: String, smsAttributeID: Int64, program: String) throws -> [ConsentListing] {
        try connection.query(
            """
            SELECT u.id, u.email, v.value, c.state, c.source, c.since, c.ledger_id
            FROM user_attributes v JOIN users u ON u.id = v.user_id
            LEFT JOIN consent_current c ON c.user_id = u.id AND c.program = ?2 AND c.number = v.value
            WHERE v.attribute_id = ?1 AND v.value = ?3 AND u.status = 'active'
            ORDER BY u.id
            """, smsAttributeID, program, number
        ) { row in
            ConsentListing(
                userID: row.int64(at: 0), email: row.string(at: 1), number: row.string(at: 2),
                state: row.isNull(at: 3) ? .none : ConsentState(rawValue: row.string(at: 3)) ?? .none,
                source: row.isNull(at: 4) ? nil : ConsentSource(rawValue: row.string(at: 4)), since: try row.get(5),
                ledgerID: try row.get(6))
        }
    }
}
