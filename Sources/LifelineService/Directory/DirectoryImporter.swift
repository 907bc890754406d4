import FoundationEssentials
import LifelineStore

/// Imports users, attribute values and group memberships from a CSV export.
///
/// An import runs in two steps. Staging reads the file, checks every row and judges every
/// number against a snapshot of the directory, and writes the changes it decides into the
/// connection's private staging tables (``DirectoryStaging``): no lock is taken on the database,
/// so codes, alerts and everyone's edits go on meanwhile. The commit then merges the staged
/// changes in one short write transaction: killed at any point, the directory is the old one or
/// the new one, never half; a rerun converges. Rows are streamed and staged on disk, so memory
/// does not grow with the file.
public struct DirectoryImporter: Sendable {
    public let environment: LifelineEnvironment
    public var database: Database { environment.database }
    public var clock: any WallClock { environment.clock }

    public init(_ environment: LifelineEnvironment) {
        self.environment = environment
    }

    /// Imports `source`; `path` names it in messages (`-` for standard input). Both steps run
    /// on the caller's thread.
    ///
    /// An import is idempotent by design (a rerun converges on the file), so one that loses its
    /// database server to a failover is run again from the start on the new primary, for up to
    /// ``HeldConnection/failoverWait``, when its source can be read again (a file, a spooled
    /// upload; not standard input or a pipe).
    ///
    /// Throws ``ImportFailure/rowsRejected(path:summary:)`` when rows were rejected and the
    /// import is all-or-nothing (nothing is written then).
    public func importUsers(
        from source: CSVReader.Source, path: String, options: ImportOptions,
        progress: ((ImportProgress) -> Void)? = nil
    ) throws -> ImportSummary {
        let rewind = source.markStart()
        var patience = FailoverPatience()
        while true {
            do {
                let staged = try stage(from: source, path: path, options: options, progress: progress)
                defer { staged.finish() }
                return try commit(staged)
            } catch {
                guard let rewind else { throw error }
                try patience.wait(after: error)
                rewind()
            }
        }
    }

    /// ``importUsers(from:path:options:progress:)`` with staging among the `places`' readers
    /// and the merge on their writer, so only the merge waits for, and holds up, other writes.
    public func importUsers(
        from source: CSVReader.Source, path: String, options: ImportOptions, on places: WorkPlaces
    ) async throws -> ImportSummary {
        let rewind = source.markStart()
        var patience = FailoverPatience()
        while true {
            do {
                return try await importOnce(from: source, path: path, options: options, on: places)
            } catch {
                guard let rewind else { throw error }
                try await patience.wait(after: error)
                rewind()
            }
        }
    }

    private func importOnce(
        from source: CSVReader.Source, path: String, options: ImportOptions, on places: WorkPlaces
    ) async throws -> ImportSummary {
        let staged = try await places.reading.run { try self.stage(from: source, path: path, options: options) }
        let committed: Result<ImportSummary, any Error>
        do {
            committed = .success(try await places.writing.run { try self.commit(staged) })
        } catch {
            committed = .failure(error)
        }
        // The checkpoint of what the merge wrote runs among the readers, not on the writer.
        _ = try? await places.reading.run { staged.finish() }
        return try committed.get()
    }

    /// Reads, checks and stages the whole file; nothing is written to the directory yet.
    public func stage(
        from source: CSVReader.Source, path: String, options: ImportOptions,
        progress: ((ImportProgress) -> Void)? = nil
    ) throws -> StagedImport {
        let started = ContinuousClock.now
        let reader: CSVReader
        do {
            reader = try CSVReader(source: source, maximumFieldBytes: options.maximumFieldBytes)
        } catch CSVReaderError.cannotOpen(_, let reason, let isMissing) {
            throw ImportFailure.cannotOpen(path: path, reason: reason, isMissing: isMissing)
        }
        let headerRecord: CSVRecord?
        do {
            if let look = FileLook.problem(with: try reader.leadingBytes()) {
                throw ImportFailure.notUTF8CSV(path: path, looksLike: look)
            }
            headerRecord = try reader.next()
        } catch let failure as ImportFailure {
            throw failure
        } catch {
            throw ImportFailure.readFailed(path: path, reason: "\(error)")
        }
        guard let headerRecord else { throw ImportFailure.emptyFile(path: path) }
        let header = try ImportHeader(record: headerRecord, path: path, map: options.columnMap)
        let rejectWriter = try options.rejectFilePath.map { try RejectFileWriter(path: $0, header: header.names) }
        // Written out once staging is done; on failure, what was rejected so far.
        defer { try? rejectWriter?.flush() }

        let held = try database.hold(cacheSizeKiB: options.cacheSizeKiB)
        do {
            let run = ImportRun(header: header, options: options, now: clock.now(), rejectWriter: rejectWriter)
            // One snapshot of the directory for every lookup; the writes go to temp tables only.
            try held.read {
                try run.prepare(connection: held.connection, cacheSizeKiB: options.cacheSizeKiB)
                // Rows go through in groups, whose lookups are fetched together first where a
                // lookup is a round trip (PostgreSQL).
                var group: [CSVRecord] = []
                func processGroup() throws {
                    try run.prefetch(group)
                    for record in group {
                        try run.process(record)
                        if let progress, run.summary.rows % 4096 == 0 {
                            progress(
                                ImportProgress(
                                    rows: run.summary.rows, bytesRead: reader.bytesRead, totalBytes: reader.totalBytes,
                                    seconds: (ContinuousClock.now - started).seconds))
                        }
                    }
                    group.removeAll(keepingCapacity: true)
                }
                while let record = try nextRecord(reader, path: path) {
                    group.append(record)
                    if group.count == ImportRun.lookupGroup { try processGroup() }
                }
                try processGroup()
                try run.finish()
            }
            try rejectWriter?.flush()
            return StagedImport(run: run, held: held, path: path, started: started)
        } catch {
            held.release()
            throw error
        }
    }

    /// Merges what was staged in one write transaction, unless it is a dry run or refused.
    /// ``StagedImport/finish()`` then checkpoints and gives the connection back, which drops
    /// the staged rows.
    public func commit(_ staged: StagedImport) throws -> ImportSummary {
        let run = staged.run
        let options = run.options
        if options.dryRun || options.refuses(run.summary) {
            run.summary.outcome = options.dryRun ? .dryRun : .refused
        } else if !run.summary.hasChanges {
            run.summary.outcome = .nothingToWrite
        } else {
            do {
                try staged.held.write {
                    run.summary.disabled = try run.staging.mergeBuildingIndexesOnceWhenEmpty(
                        at: run.now, disableUnseen: options.disableMissing, buildCacheKiB: ImportOptions.indexBuildCacheKiB)
                }
            } catch let conflict as DirectoryStaging.Conflict {
                throw ImportFailure.directoryChanged(path: staged.path, table: conflict.table)
            }
            run.summary.outcome = .written
        }
        run.summary.seconds = (ContinuousClock.now - staged.started).seconds
        if !options.dryRun && options.refuses(run.summary) {
            throw ImportFailure.rowsRejected(path: staged.path, summary: run.summary)
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

/// A staged import waiting for its merge: the connection whose temp tables hold the changes,
/// and what staging found.
///
/// It is handed from the thread that staged it to the writer, and used by one at a time; the
/// connection is given back when it is committed or dropped.
public final class StagedImport: @unchecked Sendable {
    fileprivate let run: ImportRun
    fileprivate let held: HeldConnection
    fileprivate let path: String
    fileprivate let started: ContinuousClock.Instant

    fileprivate init(run: ImportRun, held: HeldConnection, path: String, started: ContinuousClock.Instant) {
        self.run = run
        self.held = held
        self.path = path
        self.started = started
    }

    /// What staging found (before the merge: `outcome` and `disabled` are set by the commit).
    public var summary: ImportSummary { run.summary }

    /// Checkpoints what the merge wrote (when it wrote) and gives the connection back.
    public func finish() {
        if run.summary.outcome == .written { try? run.staging.checkpoint() }
        held.release()
    }

    deinit { held.release() }
}

/// The state of one import while it stages.
///
/// Its mutable state is used by one import on one thread at a time; hot properties skip
/// dynamic exclusivity checks.
private final class ImportRun {
    let header: ImportHeader
    let options: ImportOptions
    let now: Date
    let nowMilliseconds: Int64
    let rejectWriter: RejectFileWriter?
    @exclusivity(unchecked) var summary = ImportSummary()
    private(set) var staging: DirectoryStaging!
    private var store: DirectoryStore!
    private var smsNumbers: SMSNumberStore!
    private var consoleRoles: ConsoleRoleStore!
    /// The number rule as the organisation's settings make it (its default country).
    private var normalizer = PhoneNumberNormalizer()
    /// The file's column of the SMS attribute, whose values ``SMSNumberRule`` judges as they are written.
    private var smsColumn: (index: Int, attributeID: Int64)?
    private var attributeIDs: [Int64] = []
    private var groupIDsByName: [String: Int64] = [:]
    /// Resolved `groups` cells: exports repeat the same few combinations. Bounded, so memory
    /// stays flat whatever the file.
    @exclusivity(unchecked) private var groupIDsByCell: [String: [Int64]] = [:]
    private static let groupCellCacheLimit = 50_000
    /// On a directory that had users, most rows match one: look up first. On an empty one, stage first.
    private var looksUpFirst = false
    /// Users with a larger id were created by this import.
    private var largestIDBeforeImport: Int64 = 0
    /// The id the next new user gets.
    private var nextUserID: Int64 = 1
    @exclusivity(unchecked) private var createdLines = CreatedUserLines()
    @exclusivity(unchecked) private var fields: [CSVField] = []

    init(header: ImportHeader, options: ImportOptions, now: Date, rejectWriter: RejectFileWriter?) {
        self.header = header
        self.options = options
        self.now = now
        self.nowMilliseconds = now.epochMilliseconds
        self.rejectWriter = rejectWriter
    }

    /// Starts staging, stages the file's new attributes and reads the number rule, inside the
    /// snapshot's transaction.
    func prepare(connection: any SQLConnection, cacheSizeKiB: Int?) throws {
        // The staging tables page to a temporary file beyond a small cache of their own, so the
        // import's memory stays the main page cache and not twice it.
        staging = try DirectoryStaging(connection: connection, cacheKiB: cacheSizeKiB.map { min($0, ImportOptions.stagingCacheKiB) })
        store = DirectoryStore(connection: connection)
        largestIDBeforeImport = staging.baseline.user
        nextUserID = largestIDBeforeImport + 1
        looksUpFirst = largestIDBeforeImport > 0
        attributeIDs = try header.attributeColumns.map { column in
            if let existing = try store.attribute(named: column.name) { return existing.id }
            summary.attributesDefined += 1
            return try staging.stageAttribute(name: column.name, source: .import, at: now)
        }
        smsNumbers = try SMSNumberStore(connection: connection)
        consoleRoles = ConsoleRoleStore(connection: connection)
        normalizer = try SMSNumberRule.normalizer(connection: connection)
        summary.hasNameColumn = header.nameIndex != nil
        if let sms = try SMSSettings(connection: connection).identity() {
            smsColumn = zip(header.attributeColumns, attributeIDs).first { $0.1 == sms.id }.map { ($0.0.index, $0.1) }
        }
    }

    /// Rows whose lookups are fetched together.
    static let lookupGroup = 1_000

    /// Fetches the lookups `records` will need, where that saves round trips.
    func prefetch(_ records: [CSVRecord]) throws {
        guard looksUpFirst, !records.isEmpty else { return }
        try staging.prefetch(
            emails: records.compactMap { $0.fieldCount == header.names.count ? $0.trimmedField(at: header.emailIndex).text : nil })
    }

    /// Sends the last staged rows (now, not in the merge's write transaction) and counts the
    /// users the merge would disable.
    func finish() throws {
        try staging.finishStaging()
        if options.disableMissing { summary.disabled = try staging.countUnseenActiveUsers() }
    }

    private func reject(_ record: CSVRecord, _ reason: String) throws {
        summary.rejected += 1
        let rejection = ImportRejection(line: record.line, reason: reason, fields: record.fields.map { Array($0) })
        if summary.firstRejections.count < options.keptRejections { summary.firstRejections.append(rejection) }
        try rejectWriter?.write(rejection)
    }

    func process(_ record: CSVRecord) throws {
        summary.rows += 1
        guard record.fieldCount == header.names.count else {
            try reject(record, "wrong field count: \(record.fieldCount) field(s), the header has \(header.names.count)")
            return
        }
        if let problem = record.problem {
            try rejectKeepingUser(record, describe(problem))
            return
        }
        fields.removeAll(keepingCapacity: true)
        for index in 0..<record.fieldCount {
            let field = record.trimmedField(at: index)
            if field == .invalidUTF8 {
                try rejectKeepingUser(record, "invalid UTF-8 in column '\(header.names[index])'")
                return
            }
            fields.append(field)
        }
        let email = fields[header.emailIndex].text ?? ""
        if let problem = EmailAddress.problem(with: email) {
            try reject(record, problem)
            return
        }
        let displayName = header.nameIndex.flatMap { fields[$0].text }
        let groupIDs = try header.groupsIndex.map { try resolveGroups(fields[$0]) }
        var existing = looksUpFirst ? try staging.existingUser(email: email) : nil
        if existing == nil {
            let smsValue = smsColumn.flatMap { fields[$0.index].text }
            let smsNumber = SMSNumberRule.judge(smsValue, by: normalizer)
            let userID = nextUserID
            if try staging.stageUser(id: userID, email: email, displayName: displayName, smsNumber: smsNumber, at: nowMilliseconds) {
                nextUserID += 1
                if smsValue != nil && smsNumber.number == nil { summary.numbersUndeliverable += 1 }
                try create(userID: userID, line: record.line, groupIDs: groupIDs)
                return
            }
        }
        // Not staged because this import staged the email already: a duplicate in the file.
        if existing == nil { existing = try staging.stagedUser(email: email) }
        guard let existing else { return }
        if existing.id > largestIDBeforeImport {
            try reject(record, "duplicate email: the same user as line \(createdLines.line(of: existing.id) ?? 0)")
            return
        }
        if let earlier = try staging.markSeen(userID: existing.id, line: record.line) {
            try reject(record, "duplicate email: the same user as line \(earlier)")
            return
        }
        try update(existing, email: email, displayName: displayName, groupIDs: groupIDs)
    }

    private func create(userID: Int64, line: Int, groupIDs: [Int64]?) throws {
        createdLines.record(id: userID, line: line)
        for (column, attributeID) in zip(header.attributeColumns, attributeIDs) {
            if let value = fields[column.index].text {
                try staging.setValue(userID: userID, attributeID: attributeID, value: value, at: nowMilliseconds)
            }
        }
        for groupID in groupIDs ?? [] {
            try staging.stageMembership(groupID: groupID, userID: userID, at: nowMilliseconds)
        }
        summary.membershipsAdded += groupIDs?.count ?? 0
        summary.created += 1
    }

    private func update(
        _ existing: DirectoryStaging.ExistingUser, email: String, displayName: String?, groupIDs: [Int64]?
    ) throws {
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
        if try updateAttributes(userID: existing.id, email: email) { changed = true }
        if let groupIDs, try updateMemberships(userID: existing.id, to: groupIDs) { changed = true }
        if changed {
            try staging.changeUser(id: existing.id, displayName: name, status: status, at: nowMilliseconds)
            summary.updated += 1
        } else {
            summary.unchanged += 1
        }
    }

    /// Rejects a row whose email may still be readable: that user, if they exist, must not be
    /// disabled by --disable-missing just because another cell of their row was bad.
    private func rejectKeepingUser(_ record: CSVRecord, _ reason: String) throws {
        try reject(record, reason)
        guard options.disableMissing, let email = record.trimmedField(at: header.emailIndex).text,
            EmailAddress.problem(with: email) == nil, let user = try staging.existingUser(email: email),
            user.id <= largestIDBeforeImport
        else { return }
        _ = try staging.markSeen(userID: user.id, line: record.line)
    }

    private func updateAttributes(userID: Int64, email: String) throws -> Bool {
        guard !attributeIDs.isEmpty else { return false }
        let current = try staging.values(userID: userID)
        var changed = false
        for (column, attributeID) in zip(header.attributeColumns, attributeIDs) {
            let value = fields[column.index].text
            guard value != current.first(where: { $0.attributeID == attributeID })?.value else { continue }
            try staging.setValue(userID: userID, attributeID: attributeID, value: value, at: nowMilliseconds)
            if attributeID == smsColumn?.attributeID { try judgeNumber(value, userID: userID, email: email) }
            changed = true
        }
        return changed
    }

    /// Stores the verdict on an existing user's new SMS value, and counts what the import
    /// costs them: a number that can no longer be sent to is a warning, and loudest for a
    /// console account, which needs its number to sign in.
    private func judgeNumber(_ value: String?, userID: Int64, email: String) throws {
        let judged = SMSNumberRule.judge(value, by: normalizer)
        let before = try smsNumbers.stored(userID: userID)
        try staging.changeNumber(id: userID, to: judged)
        if value != nil && judged.number == nil { summary.numbersUndeliverable += 1 }
        guard before?.number != nil, judged.number == nil else { return }
        summary.numbersLost += 1
        if try consoleRoles.role(userID: userID) != nil { summary.consoleAccountsLosingNumber.append(email) }
    }

    private func updateMemberships(userID: Int64, to groupIDs: [Int64]) throws -> Bool {
        let current = try staging.groupIDs(userID: userID)
        let added = groupIDs.filter { !current.contains($0) }
        for groupID in added {
            try staging.stageMembership(groupID: groupID, userID: userID, at: nowMilliseconds)
        }
        summary.membershipsAdded += added.count
        var removedCount = 0
        if options.groups == .replace {
            let removed = current.filter { !groupIDs.contains($0) }
            for groupID in removed { try staging.stageMembership(groupID: groupID, userID: userID, removed: true, at: nowMilliseconds) }
            removedCount = removed.count
            summary.membershipsRemoved += removedCount
        }
        return !added.isEmpty || removedCount > 0
    }

    /// The ids of the `;`-separated groups, created on first sight.
    private func resolveGroups(_ field: CSVField) throws -> [Int64] {
        guard let cell = field.text else { return [] }
        if let cached = groupIDsByCell[cell] { return cached }
        var ids: [Int64] = []
        for part in cell.split(separator: ";") {
            let name = String(part).trimmingBlanks()
            guard !name.isEmpty else { continue }
            let id = try groupID(named: name)
            if !ids.contains(id) { ids.append(id) }
        }
        if groupIDsByCell.count < Self.groupCellCacheLimit { groupIDsByCell[cell] = ids }
        return ids
    }

    private func groupID(named name: String) throws -> Int64 {
        if let cached = groupIDsByName[name] { return cached }
        let key = NameKey.of(name)
        if let cached = groupIDsByName[key] {
            groupIDsByName[name] = cached
            return cached
        }
        let id: Int64
        if let existing = try store.groupID(named: name) {
            id = existing
        } else {
            id = try staging.stageGroup(name: name, at: now)
            summary.groupsCreated += 1
        }
        groupIDsByName[key] = id
        groupIDsByName[name] = id
        return id
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
}
