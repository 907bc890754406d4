import CSQLite

/// A version of the SQLite library, as `sqlite3_libversion_number` counts it (3.37.0 is 3037000).
public struct SQLiteLibraryVersion: Sendable, Comparable, CustomStringConvertible {
    public let number: Int32

    public init(number: Int32) {
        self.number = number
    }

    public init(_ major: Int32, _ minor: Int32, _ patch: Int32) {
        number = major * 1_000_000 + minor * 1_000 + patch
    }

    /// The library this process is linked with.
    public static var linked: SQLiteLibraryVersion { SQLiteLibraryVersion(number: sqlite3_libversion_number()) }

    public var description: String { "\(number / 1_000_000).\(number / 1_000 % 1_000).\(number % 1_000)" }

    public static func < (left: SQLiteLibraryVersion, right: SQLiteLibraryVersion) -> Bool { left.number < right.number }
}
