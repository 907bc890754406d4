import FoundationEssentials
import Glibc

/// A problem with one CSV record that makes it unusable (the reader goes on with the next).
public enum CSVRecordProblem: Equatable, Sendable {
    /// A field is longer than the limit; `column` is 1-based.
    case fieldTooLong(column: Int, limit: Int)
    /// A quoted field is followed by something other than a comma or a line end.
    case textAfterClosingQuote(column: Int)
    /// The file ends inside a quoted field.
    case unterminatedQuote(column: Int)
}

/// One record: its fields' bytes and where it starts.
///
/// It shares the reader's buffers (no allocation per record): drop it before reading the next.
public struct CSVRecord {
    /// The physical line (1-based) where the record starts.
    public let line: Int
    /// Why the record is unusable, if it is.
    public let problem: CSVRecordProblem?
    let bytes: [UInt8]
    let starts: [Int]
    let ends: [Int]

    /// The number of fields.
    public var fieldCount: Int { starts.count }

    /// The field's bytes; a field over the limit is cut at the limit.
    public func field(at index: Int) -> ArraySlice<UInt8> {
        bytes[starts[index]..<ends[index]]
    }

    /// Every field's bytes.
    public var fields: [ArraySlice<UInt8>] { (0..<fieldCount).map(field(at:)) }

    /// The field at `index` as text, or nil when it is not valid UTF-8.
    public func text(at index: Int) -> String? {
        field(at: index).withUnsafeBufferPointer(UTF8Validation.string)
    }

    /// The field at `index` without surrounding spaces and tabs: empty, text, or invalid UTF-8.
    ///
    /// Trims bytes before decoding; Foundation's `trimmingCharacters` goes through UTF-16 and
    /// was a third of the import's time.
    public func trimmedField(at index: Int) -> CSVField {
        var slice = field(at: index)
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        if slice.isEmpty { return .empty }
        return slice.withUnsafeBufferPointer { buffer in
            UTF8Validation.string(buffer).map(CSVField.text) ?? .invalidUTF8
        }
    }
}

/// One field's value once trimmed.
public enum CSVField: Equatable {
    case empty
    case text(String)
    case invalidUTF8

    /// The text, or nil when empty or invalid.
    public var text: String? {
        if case .text(let text) = self { return text }
        return nil
    }
}

/// A streaming RFC 4180 reader over bytes: quoted fields with commas, doubled quotes and line
/// breaks; CRLF, LF or CR line ends; a UTF-8 byte-order mark; blank lines skipped.
///
/// Memory stays constant whatever the file size: one read buffer and one record buffer, and a
/// field over `maximumFieldBytes` is cut (and flagged) rather than kept whole. Written by hand
/// over bytes because the listed CSV packages are ~35× slower and one loads the whole file.
public final class CSVReader {
    /// Where the bytes come from.
    public enum Source: Sendable {
        case file(path: String)
        case standardInput
        /// An open file the caller owns (an upload spooled by the server), read from its current offset.
        case descriptor(Int32)
    }

    // The hot state below is only touched by the reader's own methods, one call at a time (the
    // reader is not Sendable): dynamic exclusivity checks on it cost 4% of an import.
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let maximumFieldBytes: Int
    @exclusivity(unchecked) private var buffer: [UInt8]
    @exclusivity(unchecked) private var position = 0
    @exclusivity(unchecked) private var count = 0
    private var isAtEnd = false
    @exclusivity(unchecked) private var record: [UInt8] = []
    @exclusivity(unchecked) private var fieldStarts: [Int] = []
    @exclusivity(unchecked) private var fieldEnds: [Int] = []
    @exclusivity(unchecked) private var line = 1
    private var hasCheckedByteOrderMark = false
    /// Bytes consumed so far, for progress.
    public private(set) var bytesRead: Int64 = 0
    /// The file's size when known (a regular file), for progress.
    public let totalBytes: Int64?

    public init(source: Source, maximumFieldBytes: Int = 4096, bufferSize: Int = 1 << 16) throws {
        switch source {
        case .standardInput:
            descriptor = STDIN_FILENO
            ownsDescriptor = false
            totalBytes = nil
        case .descriptor(let given):
            descriptor = given
            ownsDescriptor = false
            var status = stat()
            totalBytes = fstat(given, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG ? Int64(status.st_size) : nil
        case .file(let path):
            let opened = open(path, O_RDONLY | O_CLOEXEC)
            guard opened >= 0 else {
                let failure = errno
                throw CSVReaderError.cannotOpen(
                    path: path, reason: String(cString: strerror(failure)), isMissing: failure == ENOENT)
            }
            var status = stat()
            if fstat(opened, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
                Glibc.close(opened)
                throw CSVReaderError.cannotOpen(path: path, reason: "it is a folder", isMissing: false)
            }
            descriptor = opened
            ownsDescriptor = true
            totalBytes = (status.st_mode & S_IFMT) == S_IFREG ? Int64(status.st_size) : nil
        }
        self.maximumFieldBytes = maximumFieldBytes
        self.buffer = [UInt8](repeating: 0, count: max(bufferSize, 4))
    }

    deinit {
        if ownsDescriptor { Glibc.close(descriptor) }
    }

    /// Up to the first 512 bytes of the input (after a UTF-8 byte-order mark), without consuming
    /// them; empty for an empty input. Call it before the first record.
    public func leadingBytes() throws -> ArraySlice<UInt8> {
        if !hasCheckedByteOrderMark { _ = try fill() }
        return buffer[position..<min(count, position + 512)]
    }

    /// The next non-blank record, or nil at the end of the input.
    public func next() throws -> CSVRecord? {
        while true {
            guard let record = try readRecord() else { return nil }
            let isBlank = record.fieldCount == 1 && record.ends[0] == record.starts[0] && record.problem == nil
            if !isBlank { return record }
        }
    }

    /// Refills the buffer; false at the end of input. Never returns true with nothing to read.
    private func fill() throws -> Bool {
        while !isAtEnd {
            // The first fill gathers at least 3 bytes (a pipe may hand fewer) to see a byte-order mark.
            let wanted = hasCheckedByteOrderMark ? 1 : 3
            count = 0
            position = 0
            while count < wanted {
                let readCount = buffer.withUnsafeMutableBytes { bytes in
                    read(descriptor, bytes.baseAddress! + count, bytes.count - count)
                }
                if readCount < 0 {
                    if errno == EINTR { continue }
                    throw CSVReaderError.readFailed(reason: String(cString: strerror(errno)))
                }
                if readCount == 0 {
                    isAtEnd = true
                    break
                }
                count += readCount
                bytesRead += Int64(readCount)
            }
            if !hasCheckedByteOrderMark {
                hasCheckedByteOrderMark = true
                if count >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { position = 3 }
            }
            if position < count { return true }
        }
        return false
    }

    /// The next byte, or nil at the end of input.
    @inline(__always)
    private func nextByte() throws -> UInt8? {
        if position == count {
            guard try fill() else { return nil }
        }
        let byte = buffer[position]
        position += 1
        return byte
    }

    /// Consumes an LF right after a CR, so CRLF ends one line.
    private func consumeLineFeedAfterCarriageReturn() throws {
        if position == count {
            guard try fill() else { return }
        }
        if buffer[position] == UInt8(ascii: "\n") { position += 1 }
    }

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    // The record being read.
    @exclusivity(unchecked) private var problem: CSVRecordProblem?
    @exclusivity(unchecked) private var fieldStart = 0
    @exclusivity(unchecked) private var fieldLength = 0

    @inline(__always)
    private func append(_ byte: UInt8) {
        if fieldLength < maximumFieldBytes {
            record.append(byte)
        } else if problem == nil {
            problem = .fieldTooLong(column: fieldStarts.count + 1, limit: maximumFieldBytes)
        }
        fieldLength += 1
    }

    /// Appends `buffer[start..<end]` to the field, keeping at most `maximumFieldBytes` of it.
    @inline(__always)
    private func appendBytes(from start: Int, to end: Int) {
        let length = end - start
        guard length > 0 else { return }
        let room = max(0, maximumFieldBytes - fieldLength)
        if room > 0 {
            buffer.withUnsafeBufferPointer { record.append(contentsOf: $0[start..<(start + min(room, length))]) }
        }
        if length > room && problem == nil {
            problem = .fieldTooLong(column: fieldStarts.count + 1, limit: maximumFieldBytes)
        }
        fieldLength += length
    }

    private func endField() {
        fieldStarts.append(fieldStart)
        fieldEnds.append(record.count)
        fieldStart = record.count
        fieldLength = 0
    }

    private func readRecord() throws -> CSVRecord? {
        record.removeAll(keepingCapacity: true)
        fieldStarts.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        let startLine = line
        problem = nil
        fieldStart = 0
        fieldLength = 0
        var sawAnyByte = false

        func finish() -> CSVRecord {
            endField()
            return CSVRecord(line: startLine, problem: problem, bytes: record, starts: fieldStarts, ends: fieldEnds)
        }

        fieldLoop: while true {
            // At the start of a field.
            guard let first = try nextByte() else {
                return sawAnyByte ? finish() : nil
            }
            sawAnyByte = true
            if first == Self.quote {
                // Quoted field: runs to a quote not followed by another quote.
                while true {
                    if position == count {
                        guard try fill() else {
                            if problem == nil { problem = .unterminatedQuote(column: fieldStarts.count + 1) }
                            return finish()
                        }
                    }
                    let (stop, byte) = scan(from: position, untilQuoteOrLineEnd: true)
                    appendBytes(from: position, to: stop)
                    position = stop
                    guard stop < count else { continue }
                    position += 1
                    if byte == Self.quote {
                        if position == count { _ = try fill() }
                        if position < count && buffer[position] == Self.quote {
                            position += 1
                            append(Self.quote)
                            continue
                        }
                        break
                    }
                    // A line break inside quotes is data, and still a physical line.
                    line += 1
                    append(byte)
                    if byte == Self.carriageReturn {
                        if position == count { _ = try fill() }
                        if position < count && buffer[position] == Self.lineFeed {
                            position += 1
                            append(Self.lineFeed)
                        }
                    }
                }
                // After the closing quote: a comma, a line end or the end of input.
                guard let after = try nextByte() else { return finish() }
                switch try delimiter(after) {
                case .field:
                    endField()
                    continue fieldLoop
                case .record:
                    return finish()
                case nil:
                    if problem == nil { problem = .textAfterClosingQuote(column: fieldStarts.count + 1) }
                    append(after)
                    // Read the rest of the field as unquoted text.
                }
            } else {
                switch try delimiter(first) {
                case .field:
                    endField()
                    continue fieldLoop
                case .record:
                    return finish()
                case nil:
                    append(first)
                }
            }
            // Unquoted field (or the tail after a bad closing quote): runs to a comma or line end.
            while true {
                if position == count {
                    guard try fill() else { return finish() }
                }
                let (stop, byte) = scan(from: position, untilQuoteOrLineEnd: false)
                appendBytes(from: position, to: stop)
                position = stop
                guard stop < count else { continue }
                position += 1
                // The scan stopped on a comma or a line end.
                if try delimiter(byte) == .field {
                    endField()
                    continue fieldLoop
                }
                return finish()
            }
        }
    }

    /// What a delimiter ends.
    private enum Delimiter {
        case field
        case record
    }

    /// What `byte` ends when it is a delimiter (a line end is counted, and CRLF read as one);
    /// nil when it is data.
    @inline(__always)
    private func delimiter(_ byte: UInt8) throws -> Delimiter? {
        switch byte {
        case Self.comma:
            return .field
        case Self.lineFeed:
            line += 1
            return .record
        case Self.carriageReturn:
            line += 1
            try consumeLineFeedAfterCarriageReturn()
            return .record
        default:
            return nil
        }
    }

    /// The index of the next delimiter in the buffer from `start` (a quote, CR or LF inside
    /// quotes; a comma, CR or LF outside), and that byte; `count` when there is none.
    @inline(__always)
    private func scan(from start: Int, untilQuoteOrLineEnd inQuotes: Bool) -> (Int, UInt8) {
        buffer.withUnsafeBufferPointer { bytes in
            var index = start
            if inQuotes {
                while index < count {
                    let byte = bytes[index]
                    if byte == Self.quote || byte == Self.lineFeed || byte == Self.carriageReturn { return (index, byte) }
                    index += 1
                }
            } else {
                while index < count {
                    let byte = bytes[index]
                    if byte == Self.comma || byte == Self.lineFeed || byte == Self.carriageReturn { return (index, byte) }
                    index += 1
                }
            }
            return (count, 0)
        }
    }
}

/// The input could not be read at all.
public enum CSVReaderError: Error, Equatable {
    /// `isMissing` when nothing exists at the path.
    case cannotOpen(path: String, reason: String, isMissing: Bool)
    case readFailed(reason: String)
}

extension CSVReader.Source {
    /// A way back to where this source starts now, for reading it a second time (an import run
    /// again after a failover), or nil when it can be read only once: standard input, a pipe.
    func markStart() -> (() -> Void)? {
        switch self {
        case .standardInput:
            return nil
        case .file(let path):
            var status = stat()
            guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
            // Each reading opens it afresh.
            return {}
        case .descriptor(let descriptor):
            var status = stat()
            guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
            let start = lseek(descriptor, 0, SEEK_CUR)
            guard start >= 0 else { return nil }
            return { _ = lseek(descriptor, start, SEEK_SET) }
        }
    }
}
