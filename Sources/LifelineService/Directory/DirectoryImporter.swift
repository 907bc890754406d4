import Foundation
import LifelineStore

/// Imports users, attribute values and group memberships from a CSV export.
///
/// The whole import is one `BEGIN IMMEDIATE` transaction: killed at any point, it leaves the
/// database as it was; a rerun converges. Rows are streamed, so memory does not grow with the file.
public struct DirectoryImporter: Sendable {
    public let settings: DatabaseSettings
    public let clock: any WallClock

    public init(settings: DatabaseSettings, clock: any WallClock = SystemClock()) {
        self.settings = settings
        self.clock = clock
    }

    /// Imports `source`; `path` names it in messages (`-` for standard input).
    ///
    /// Throws ``ImportFailure/rowsRejected(path:summary:)`` when rows were rejected and the
    /// import is all-or-nothing (nothing is written then).
    public func importUsers(
        from source: CSVReader.Source, path: String, options: ImportOptions,
        progress: ((ImportProgress) -> Void)? = nil
    ) throws -> ImportSummary {
        let started = ContinuousClock.now
        let reader: CSVReader
        do {
            reader = try CSVReader(source: source, maximumFieldBytes: options.maximumFieldBytes)
        } catch CSVReaderError.cannotOpen(_, let reason) {
            throw ImportFailure.cannotOpen(path: path, reason: reason)
        }
        let headerRecord: CSVRecord?
        do { headerRecord = try reader.next() } catch { throw ImportFailure.readFailed(path: path, reason: "\(error)") }
        guard let headerRecord else { throw ImportFailure.emptyFile(path: path) }
        let header = try ImportHeader(record: headerRecord, path: path)
        let rejectWriter = try options.rejectFilePath.map { try RejectFileWriter(path: $0, header: header.names) }
        defer { rejectWriter?.flush() }

        let connection = try settings.openCurrent(cacheSizeKiB: options.cacheSizeKiB)
        defer { connection.close() }
        let run = ImportRun(
            store: DirectoryStore(connection: connection), header: header, options: options,
            now: clock.now(), rejectWriter: rejectWriter)
        struct RollBack: Error {}
        do {
            try settings.translatingErrors {
                try connection.write {
                    try run.prepare(connection: connection)
                    while let record = try nextRecord(reader, path: path) {
                        try run.process(record)
                        if let progress, run.summary.rows % 4096 == 0 {
                            progress(
                                ImportProgress(
                                    rows: run.summary.rows, bytesRead: reader.bytesRead, totalBytes: reader.totalBytes,
                                    seconds: (ContinuousClock.now - started).seconds))
                        }
                    }
                    try run.finish()
                    if options.dryRun || (run.summary.rejected > 0 && !options.allowPartial) { throw RollBack() }
                }
            }
            run.summary.isWritten = true
        } catch is RollBack {
            run.summary.isWritten = false
        }
        run.summary.seconds = (ContinuousClock.now - started).seconds
        if !options.dryRun && run.summary.rejected > 0 && !options.allowPartial {
            throw ImportFailure.rowsRejected(path: path, summary: run.summary)
        }
        return run.summary
    }

    private func nextRecord(_ reader: CSVReader, path: String) throws -> CSVRecord? {
        do {
            return try reader.next()
        } catch {
            throw ImportFailure.readFailed(path: path, reason: "\(error)")
        }
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// The state of one import while it runs.
private final class ImportRun {
    let store: DirectoryStore
    let header: ImportHeader
    let options: ImportOptions
    let now: Date
    let rejectWriter: RejectFileWriter?
    var summary = ImportSummary()
    private var tracking: ImportTracking?
    private var attributeIDs: [Int64] = []
    private var groupIDsByName: [String: Int64] = [:]

    init(store: DirectoryStore, header: ImportHeader, options: ImportOptions, now: Date, rejectWriter: RejectFileWriter?) {
        self.store = store
        self.header = header
        self.options = options
        self.now = now
        self.rejectWriter = rejectWriter
    }

    /// Defines the file's new attributes and starts tracking seen users.
    func prepare(connection: SQLiteConnection) throws {
        tracking = try ImportTracking(connection: connection)
        attributeIDs = try header.attributeColumns.map { column in
            if let existing = try store.attribute(named: column.name) { return existing.id }
            summary.attributesDefined += 1
            return try store.defineAttribute(name: column.name, source: .import, at: now)
        }
    }

    func finish() throws {
        if options.disableMissing, let tracking {
            summary.disabled = try tracking.disableUnseenUsers(at: now)
        }
        try tracking?.finish()
    }

    private func reject(_ record: CSVRecord, _ reason: String) {
        summary.rejected += 1
        let rejection = ImportRejection(line: record.line, reason: reason, fields: record.fields.map { Array($0) })
        if summary.firstRejections.count < 20 { summary.firstRejections.append(rejection) }
        rejectWriter?.write(rejection)
    }

    func process(_ record: CSVRecord) throws {
        summary.rows += 1
        guard record.fields.count == header.names.count else {
            reject(record, "wrong field count: \(record.fields.count) field(s), the header has \(header.names.count)")
            return
        }
        if let problem = record.problem {
            try rejectKeepingUser(record, describe(problem))
            return
        }
        var texts: [String] = []
        texts.reserveCapacity(record.fields.count)
        for index in record.fields.indices {
            guard let text = record.text(at: index) else {
                try rejectKeepingUser(record, "invalid UTF-8 in column '\(header.names[index])'")
                return
            }
            texts.append(text)
        }
        let email = texts[header.emailIndex].trimmingCharacters(in: .whitespaces)
        if let problem = EmailAddress.problem(with: email) {
            reject(record, problem)
            return
        }
        let displayName = header.nameIndex.flatMap { Self.nonEmpty(texts[$0]) }
        let groupIDs = try header.groupsIndex.map { try resolveGroups(texts[$0]) }
        if let userID = try store.insertUserIfNew(email: email, displayName: displayName, at: now) {
            _ = try tracking?.markSeen(userID: userID, line: record.line)
            for (column, attributeID) in zip(header.attributeColumns, attributeIDs) {
                if let value = Self.nonEmpty(texts[column.index]) {
                    try store.setAttributeValue(userID: userID, attributeID: attributeID, value: value, at: now)
                }
            }
            for groupID in groupIDs ?? [] {
                try store.addMembership(groupID: groupID, userID: userID, at: now)
            }
            summary.membershipsAdded += groupIDs?.count ?? 0
            summary.created += 1
            return
        }
        guard let existing = try store.user(email: email) else { return }
        if let earlier = try tracking?.markSeen(userID: existing.id, line: record.line) {
            reject(record, "duplicate email: the same user as line \(earlier)")
            return
        }
        var changed = false
        var status = existing.status
        var name = existing.displayName
        if header.nameIndex != nil && displayName != existing.displayName {
            name = displayName
            changed = true
        }
        if options.disableMissing && existing.status == .disabled {
            status = .active
            summary.reEnabled += 1
            changed = true
        }
        if try updateAttributes(userID: existing.id, texts: texts) { changed = true }
        if let groupIDs, try updateMemberships(userID: existing.id, to: groupIDs) { changed = true }
        if changed {
            try store.updateUser(id: existing.id, displayName: name, status: status, at: now)
            summary.updated += 1
        } else {
            summary.unchanged += 1
        }
    }

    /// Rejects a row whose email may still be readable: that user, if they exist, must not be
    /// disabled by --disable-missing just because another cell of their row was bad.
    private func rejectKeepingUser(_ record: CSVRecord, _ reason: String) throws {
        reject(record, reason)
        guard options.disableMissing,
            let email = record.text(at: header.emailIndex)?.trimmingCharacters(in: .whitespaces),
            EmailAddress.problem(with: email) == nil,
            let user = try store.user(email: email)
        else { return }
        _ = try tracking?.markSeen(userID: user.id, line: record.line)
    }

    private func updateAttributes(userID: Int64, texts: [String]) throws -> Bool {
        guard !attributeIDs.isEmpty else { return false }
        let current = try store.attributeValues(userID: userID)
        var changed = false
        for (column, attributeID) in zip(header.attributeColumns, attributeIDs) {
            let value = Self.nonEmpty(texts[column.index])
            guard value != current[attributeID] else { continue }
            if let value {
                try store.setAttributeValue(userID: userID, attributeID: attributeID, value: value, at: now)
            } else {
                try store.clearAttributeValue(userID: userID, attributeID: attributeID)
            }
            changed = true
        }
        return changed
    }

    private func updateMemberships(userID: Int64, to groupIDs: [Int64]) throws -> Bool {
        let current = try store.groupIDs(userID: userID)
        let wanted = Set(groupIDs)
        let added = wanted.subtracting(current)
        for groupID in added { try store.addMembership(groupID: groupID, userID: userID, at: now) }
        summary.membershipsAdded += added.count
        var removedCount = 0
        if options.groups == .replace {
            let removed = current.subtracting(wanted)
            for groupID in removed { try store.removeMembership(groupID: groupID, userID: userID) }
            removedCount = removed.count
            summary.membershipsRemoved += removedCount
        }
        return !added.isEmpty || removedCount > 0
    }

    /// The ids of the `;`-separated groups, created on first sight.
    private func resolveGroups(_ cell: String) throws -> [Int64] {
        var ids: [Int64] = []
        for part in cell.split(separator: ";") {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { continue }
            let key = name.lowercased()
            let id: Int64
            if let cached = groupIDsByName[key] {
                id = cached
            } else if let existing = try store.groupID(named: name) {
                id = existing
                groupIDsByName[key] = id
            } else {
                id = try store.createGroup(name: name, at: now)
                summary.groupsCreated += 1
                groupIDsByName[key] = id
            }
            if !ids.contains(id) { ids.append(id) }
        }
        return ids
    }

    private func describe(_ problem: CSVRecordProblem) -> String {
        switch problem {
        case .fieldTooLong(let column, let limit):
            "field over \(limit / 1024) KiB in column '\(header.names[safe: column - 1] ?? String(column))'"
        case .textAfterClosingQuote(let column):
            "text after a closing quote in column '\(header.names[safe: column - 1] ?? String(column))'"
        case .unterminatedQuote(let column):
            "quoted field in column '\(header.names[safe: column - 1] ?? String(column))' is never closed"
        }
    }

    private static func nonEmpty(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
