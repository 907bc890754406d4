import FoundationEssentials
import LifelineVocabulary

/// The consent ledger and its current-state table (kept by a trigger in the same transaction).
///
/// It appends and answers; the service decides who may change what.
public struct ConsentLedger {
    public let connection: any SQLConnection

    public init(connection: any SQLConnection) {
        self.connection = connection
    }

    /// Appends one change; returns the new row's id. Run it inside the caller's write transaction.
    @discardableResult
    public func append(_ change: ConsentChange) throws -> Int64 {
        try connection.insert(
            """
            INSERT INTO consent_ledger (user_id, number, program, state, source, actor, evidence, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, change.userID, change.number, change.program, change.state, change.source,
            change.actor, change.evidence, change.at)
    }

    /// The current consent of a user for one number.
    public func current(userID: Int64, number: String, program: Program) throws -> CurrentConsent {
        try connection.queryFirst(
            "SELECT state, source, since, ledger_id FROM consent_current WHERE user_id = ? AND program = ? AND number = ?",
            userID, program, number
        ) { row in
            CurrentConsent(
                state: try row.get(0),
                source: try row.get(1), since: try row.get(2), ledgerID: row.int64(at: 3))
        } ?? .none
    }

    /// The ledger rows of a user (every number they had), oldest first.
    public func history(userID: Int64, program: Program) throws -> [ConsentEntry] {
        try entries(where: "l.user_id = ?", userID, program)
    }

    /// The ledger rows of a number (every user who had it), oldest first.
    public func history(number: String, program: Program) throws -> [ConsentEntry] {
        try entries(where: "l.number = ?", number, program)
    }

    /// One ledger row, by its id.
    public func entry(id: Int64, program: Program) throws -> ConsentEntry? {
        try entries(where: "l.id = ?", id, program).first
    }

    /// The evidence of one ledger row.
    public func evidence(ledgerID: Int64) throws -> String? {
        try connection.queryFirst("SELECT evidence FROM consent_ledger WHERE id = ?", ledgerID) { $0.string(at: 0) }
    }

    // One fixed condition per query, so SQLite uses the matching index (an `?1 IS NULL OR`
    // form made it scan the whole ledger).
    private func entries(where condition: String, _ key: any SQLBindable, _ program: Program) throws -> [ConsentEntry] {
        try connection.query(
            """
            SELECT l.id, l.user_id, u.email, l.number, l.program, l.state, l.source, l.actor, l.evidence, l.recorded_at
            FROM consent_ledger l JOIN users u ON u.id = l.user_id
            WHERE \(condition) AND l.program = ?
            ORDER BY l.id
            """, key, program
        ) { row in
            ConsentEntry(
                id: row.int64(at: 0), userID: row.int64(at: 1), email: row.string(at: 2), number: row.string(at: 3),
                program: try row.get(4), state: try row.get(5),
                source: try row.get(6), actor: row.string(at: 7),
                evidence: row.string(at: 8), recordedAt: try row.get(9))
        }
    }

    /// The source of the last opt-out recorded for this user and number, if any.
    public func lastOptOutSource(userID: Int64, number: String, program: Program) throws -> ConsentSource? {
        try connection.queryFirst(
            """
            SELECT source FROM consent_ledger
            WHERE user_id = ? AND program = ? AND number = ? AND state = 'opted_out' ORDER BY id DESC LIMIT 1
            """, userID, program, number
        ) { try $0.get(0) }
    }

    /// The triggers that keep the ledger append-only and its current state in step, by name,
    /// on each engine (PostgreSQL's identity column already refuses a reused id).
    public static func protectingTriggers(_ dialect: SQLDialect) -> [String] {
        switch dialect {
        case .sqlite:
            ["consent_ledger_is_append_only_update", "consent_ledger_is_append_only_delete",
             "consent_ledger_ids_are_never_reused", "consent_ledger_keeps_current"]
        case .postgres:
            ["consent_ledger_is_append_only", "consent_ledger_is_never_truncated", "consent_ledger_keeps_current"]
        }
    }

    /// The protecting triggers the database lacks (someone dropped them); empty when all are there.
    public func missingTriggers() throws -> [String] {
        let present = try connection.query(
            connection.dialect == .sqlite
                ? "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'consent_ledger'"
                : "SELECT tgname FROM pg_catalog.pg_trigger WHERE tgrelid = 'consent_ledger'::regclass AND NOT tgisinternal"
        ) { $0.string(at: 0) }
        return Self.protectingTriggers(connection.dialect).filter { !present.contains($0) }
    }

    /// Rows of the current-state table that do not match the latest ledger row for their key,
    /// and keys whose latest ledger row has no current-state row; empty when consistent.
    public func inconsistencies(limit: Int = 10) throws -> [String] {
        // SQLite before 3.39 has no IS DISTINCT FROM; PostgreSQL has no IS NOT between values.
        let differs = connection.dialect == .sqlite ? "IS NOT" : "IS DISTINCT FROM"
        return try connection.query(
            """
            WITH latest AS (
                SELECT l.* FROM consent_ledger l
                WHERE l.id = (SELECT max(id) FROM consent_ledger m
                              WHERE m.user_id = l.user_id AND m.program = l.program AND m.number = l.number)
            )
            SELECT 'user ' || latest.user_id || ' number ' || latest.number || ': ledger says ' || latest.state
                   || ', current-state table says ' || coalesce(c.state, 'nothing')
            FROM latest LEFT JOIN consent_current c
              ON c.user_id = latest.user_id AND c.program = latest.program AND c.number = latest.number
            WHERE c.ledger_id \(differs) latest.id OR c.state \(differs) latest.state
               OR c.source \(differs) latest.source OR c.since \(differs) latest.recorded_at
            UNION ALL
            SELECT 'user ' || c.user_id || ' number ' || c.number || ': current-state row has no ledger row'
            FROM consent_current c
            WHERE NOT EXISTS (SELECT 1 FROM consent_ledger l
                              WHERE l.user_id = c.user_id AND l.program = c.program AND l.number = c.number)
            LIMIT ?
            """, limit
        ) { $0.string(at: 0) }
    }
}
