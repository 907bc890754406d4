/// What commands that answer many lookups read: their arguments, then (with `--stdin`)
/// standard input's non-blank lines, one at a time as each is answered.
enum InputLines {
    static func arguments(_ arguments: [String], thenStandardInput readsInput: Bool) -> AnySequence<String> {
        AnySequence {
            var given = arguments.makeIterator()
            return AnyIterator {
                if let argument = given.next() { return argument }
                guard readsInput else { return nil }
                while let line = readLine(strippingNewline: true) {
                    if !line.allSatisfy(\.isWhitespace) { return line }
                }
                return nil
            }
        }
    }
}
