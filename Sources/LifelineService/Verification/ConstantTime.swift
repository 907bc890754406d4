/// Comparing secrets (digests, signatures) without leaking where they differ.
public enum ConstantTime {
    /// Whether two byte strings are equal, in time that depends only on their length.
    public static func equal(_ first: [UInt8], _ second: [UInt8]) -> Bool {
        guard first.count == second.count else { return false }
        var difference: UInt8 = 0
        for index in first.indices { difference |= first[index] ^ second[index] }
        return difference == 0
    }
}
