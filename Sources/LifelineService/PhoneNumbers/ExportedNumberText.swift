/// What a directory export puts around a number, taken off before the digits are read: a
/// `tel:` URI (RFC 3966) and its parameters, an extension (`x123`, `ext. 123`, `;ext=123`,
/// `#123`), which an SMS cannot dial; and what a spreadsheet makes of a long number
/// (`4.47700900123E+11`), which is never read back, since the digits past the precision shown
/// are gone.
enum ExportedNumberText {
    enum Reading: Equatable {
        /// The number's text, and the extension taken off it, if any.
        case number(Substring, droppedExtension: Substring?)
        /// A spreadsheet's scientific notation.
        case mangled
    }

    static func read(_ value: Substring) -> Reading {
        if isScientificNotation(value) { return .mangled }
        var text = value
        var context: Substring?
        if text.count > 4, text.prefix(4).lowercased() == "tel:" {
            text = text.dropFirst(4)
            // Parameters follow `;`: phone-context gives the country a local number belongs to.
            let parts = text.split(separator: ";", omittingEmptySubsequences: false)
            text = parts[0]
            var droppedExtension: Substring?
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                switch pair[0].lowercased() {
                case "phone-context" where pair[1].hasPrefix("+"): context = pair[1]
                case "ext": droppedExtension = pair[1]
                default: break
                }
            }
            if let context, !text.hasPrefix("+") { text = Substring(String(context) + String(text)) }
            return .number(text, droppedExtension: droppedExtension)
        }
        if let (number, dropped) = splitExtension(text) { return .number(number, droppedExtension: dropped) }
        return .number(text, droppedExtension: nil)
    }

    /// `4.47700900123E+11`, `4,477E+11`, `4.477e11`: a digit, a decimal mark, digits, E, an exponent.
    private static func isScientificNotation(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        guard let e = bytes.firstIndex(where: { $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") }), e >= 3 else {
            return false
        }
        let mantissa = bytes[..<e], exponent = bytes[(e + 1)...].drop { $0 == UInt8(ascii: "+") }
        let isDigit = { (byte: UInt8) in (0x30...0x39).contains(byte) }
        guard isDigit(mantissa[mantissa.startIndex]),
            mantissa[mantissa.startIndex + 1] == UInt8(ascii: ".") || mantissa[mantissa.startIndex + 1] == UInt8(ascii: ","),
            mantissa.dropFirst(2).allSatisfy(isDigit), !exponent.isEmpty, exponent.allSatisfy(isDigit)
        else { return false }
        return true
    }

    /// The words that mark an extension, longest first so `extension` is not read as `ext`.
    private static let markers: [[UInt8]] = ["extension", "extn", "ext", "x", "#"].map { Array($0.utf8) }

    /// The number and its extension when the text ends in one: a marker (any case), optional
    /// `.`, `:` or `=`, spaces, then one to seven digits; and digits before it. Over UTF-8
    /// bytes: every byte looked at is ASCII, so the offsets are the text's own.
    private static func splitExtension(_ text: Substring) -> (Substring, Substring)? {
        let bytes = Array(text.utf8)
        let isDigit = { (byte: UInt8) in (0x30...0x39).contains(byte) }
        var end = bytes.count
        while end > 0, isDigit(bytes[end - 1]) { end -= 1 }
        let digits = bytes.count - end
        guard (1...7).contains(digits) else { return nil }
        var markerEnd = end
        while markerEnd > 0, [UInt8(ascii: " "), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "=")].contains(bytes[markerEnd - 1]) {
            markerEnd -= 1
        }
        for marker in markers where markerEnd >= marker.count {
            let candidate = bytes[(markerEnd - marker.count)..<markerEnd].map { (0x41...0x5A).contains($0) ? $0 + 32 : $0 }
            guard candidate == marker else { continue }
            var numberEnd = markerEnd - marker.count
            while numberEnd > 0, [UInt8(ascii: " "), UInt8(ascii: ";"), UInt8(ascii: ",")].contains(bytes[numberEnd - 1]) {
                numberEnd -= 1
            }
            guard bytes[..<numberEnd].contains(where: isDigit) else { return nil }
            let utf8 = text.utf8
            let numberIndex = utf8.index(utf8.startIndex, offsetBy: numberEnd)
            let extensionIndex = utf8.index(utf8.startIndex, offsetBy: end)
            return (text[..<numberIndex], text[extensionIndex...])
        }
        return nil
    }
}
