import FoundationEssentials
import LifelineVocabulary

/// An event template as stored, its answers in number order and its trigger labels by label.
public struct TemplateRecord: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let groupName: String
    public let kind: EventKind
    public let startMessage: String
    public let endMessage: String
    public let question: String?
    public var answers: [String] = []
    public var triggerLabels: [String: String] = [:]
    /// Minutes.
    public let autoStartAfter: Int?
    public let createdAt: Date
    public let updatedAt: Date
}

/// A template's checked fields, to store.
public struct TemplateFields: Sendable {
    public let name: String
    public let groupID: Int64
    public let kind: EventKind
    public let startMessage: String
    public let endMessage: String
    public let question: String?
    public let answers: [String]
    public let triggerLabels: [String: String]
    public let autoStartAfter: Int?

    public init(
        name: String, groupID: Int64, kind: EventKind, startMessage: String, endMessage: String, question: String?, answers: [String],
        triggerLabels: [String: String], autoStartAfter: Int?
    ) {
        self.name = name
        self.groupID = groupID
        self.kind = kind
        self.startMessage = startMessage
        self.endMessage = endMessage
        self.question = question
        self.answers = answers
        self.triggerLabels = triggerLabels
        self.autoStartAfter = autoStartAfter
    }
}

/// The SQL for event templates.
public struct TemplateStore {
    let connection: any SQLConnection
    private var dialect: SQLDialect { connection.dialect }

    public init(connection: any SQLConnection) {
        self.connection = connection
    }

    private static let columns = """
        t.id, t.name, g.name, t.kind, t.start_message, t.end_message, t.question, t.auto_start_after, t.created_at, t.updated_at
        """

    private func template(from row: any SQLRow) throws -> TemplateRecord {
        TemplateRecord(
            id: row.int64(at: 0), name: row.string(at: 1), groupName: row.string(at: 2), kind: try row.get(3),
            startMessage: row.string(at: 4), endMessage: row.string(at: 5), question: try row.get(6),
            autoStartAfter: (try row.get(7) as Int64?).map { Int($0) }, createdAt: try row.get(8), updatedAt: try row.get(9))
    }

    /// Templates by name, with their answers and labels.
    public func templates() throws -> [TemplateRecord] {
        let found = try connection.query(
            "SELECT \(Self.columns) FROM event_templates t JOIN groups g ON g.id = t.group_id ORDER BY \(dialect.caseless("t.name"))",
            map: template)
        return try found.map(withDetails)
    }

    /// The template of that name (ignoring case).
    public func template(named name: String) throws -> TemplateRecord? {
        try connection.queryFirst(
            "SELECT \(Self.columns) FROM event_templates t JOIN groups g ON g.id = t.group_id WHERE \(dialect.caselessEquals("t.name"))",
            name, map: template
        ).map(withDetails)
    }

    private func withDetails(_ record: TemplateRecord) throws -> TemplateRecord {
        var record = record
        record.answers = try connection.query(
            "SELECT answer FROM event_template_answers WHERE template_id = ? ORDER BY number", record.id) { $0.string(at: 0) }
        for (label, value) in try connection.query(
            "SELECT label, value FROM event_template_labels WHERE template_id = ?", record.id, map: { ($0.string(at: 0), $0.string(at: 1)) })
        {
            record.triggerLabels[label] = value
        }
        return record
    }

    /// Stores a new template; returns its id.
    public func create(_ fields: TemplateFields, at date: Date) throws -> Int64 {
        let id = try connection.insert(
            """
            INSERT INTO event_templates
                (name, group_id, kind, start_message, end_message, question, auto_start_after, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, fields.name, fields.groupID, fields.kind, fields.startMessage, fields.endMessage, fields.question,
            fields.autoStartAfter.map(Int64.init), date, date)
        try writeDetails(fields, id: id)
        return id
    }

    /// Replaces a template's fields, answers and labels.
    public func update(id: Int64, _ fields: TemplateFields, at date: Date) throws {
        try connection.execute(
            """
            UPDATE event_templates SET name = ?, group_id = ?, kind = ?, start_message = ?, end_message = ?, question = ?,
                auto_start_after = ?, updated_at = ?
            WHERE id = ?
            """, fields.name, fields.groupID, fields.kind, fields.startMessage, fields.endMessage, fields.question,
            fields.autoStartAfter.map(Int64.init), date, id)
        try connection.execute("DELETE FROM event_template_answers WHERE template_id = ?", id)
        try connection.execute("DELETE FROM event_template_labels WHERE template_id = ?", id)
        try writeDetails(fields, id: id)
    }

    private func writeDetails(_ fields: TemplateFields, id: Int64) throws {
        for (index, answer) in fields.answers.enumerated() {
            try connection.execute(
                "INSERT INTO event_template_answers (template_id, number, answer) VALUES (?, ?, ?)", id, Int64(index + 1), answer)
        }
        for (label, value) in fields.triggerLabels.sorted(by: { $0.key < $1.key }) {
            try connection.execute("INSERT INTO event_template_labels (template_id, label, value) VALUES (?, ?, ?)", id, label, value)
        }
    }

    /// Deletes a template; false when there was none.
    public func delete(id: Int64) throws -> Bool {
        try connection.execute("DELETE FROM event_template_answers WHERE template_id = ?", id)
        try connection.execute("DELETE FROM event_template_labels WHERE template_id = ?", id)
        try connection.execute("DELETE FROM event_templates WHERE id = ?", id)
        return connection.changes == 1
    }
}
