extension Array {
    /// The element at `index`, or nil past either end (a record's field for an error message).
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
