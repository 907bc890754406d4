import Glibc

/// The process environment, read one variable at a time.
///
/// getenv rather than ProcessInfo.environment, which copies the whole environment into a
/// dictionary (a million instructions at every start) to read one variable.
public enum Environment {
    /// The variable's value; nil when it is unset or empty, as an empty setting means none.
    public static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    }
}
