import LifelineService

/// The number normaliser as it was before issue 19 (national parsing rules, number types,
/// export forms), frozen here as `scripts/bench`'s baseline for the `phone` case: the goal is
/// today's normaliser at no less than 0.8x of this one's rate. Not used by Lifeline itself.
struct BaselineNormalizer: Sendable {
    let plan: CallingCodePlan
    /// The region national numbers (with or without a trunk `0`) are read in; nil: none.
    let defaultRegion: CallingCodePlan.Region?

    init(plan: CallingCodePlan = .shipped, defaultRegion: CallingCodePlan.Region? = nil) {
        self.plan = plan
        self.defaultRegion = defaultRegion
    }

    private enum Form {
        /// Written with `+` or `00`: the calling code comes first.
        case international
        /// Digits with no international marker.
        case bare
    }

    /// The verdict for one stored value.
    func verdict(for value: String) -> PhoneNumberVerdict {
        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        var hasPlus = false
        var hasSeparators = false
        var sawDigit = false
        var utf8 = Array(value.utf8)[...]
        // Surrounding spaces are not part of the value's format.
        while let first = utf8.first, first == 0x20 || first == 0x09 { utf8 = utf8.dropFirst() }
        while let last = utf8.last, last == 0x20 || last == 0x09 { utf8 = utf8.dropLast() }
        if utf8.isEmpty { return .missing }
        // "(0)" after a country code is the UK/IE way to show the trunk prefix: it is not dialled.
        let trunkInParentheses = Self.removeTrunkInParentheses(&utf8)
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits.append(byte)
                sawDigit = true
            case UInt8(ascii: "+") where !sawDigit && !hasPlus:
                hasPlus = true
            case UInt8(ascii: " "), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "("), UInt8(ascii: ")"),
                UInt8(ascii: "/"), 0x09:
                hasSeparators = true
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"):
                return .invalid(.letters)
            default:
                if let character = Self.character(startingAt: byte, in: value) {
                    if character.isLetter { return .invalid(.letters) }
                    if character.isWhitespace {
                        hasSeparators = true
                        continue
                    }
                    return .invalid(.unexpectedCharacter(character))
                }
                return .invalid(.unexpectedCharacter("?"))
            }
        }
        if digits.isEmpty { return .invalid(.tooShort) }
        let isPlainDigits = !hasPlus && !hasSeparators && !trunkInParentheses
        var form = Form.bare
        var body = digits[...]
        if hasPlus {
            form = .international
        } else if body.starts(with: [UInt8(ascii: "0"), UInt8(ascii: "0")]) {
            form = .international
            body = body.dropFirst(2)
        }
        switch form {
        case .international:
            return finish(international: body, isPlainDigits: false)
        case .bare:
            if body.first == UInt8(ascii: "0") {
                guard let region = defaultRegion else { return .invalid(.leadingZero) }
                return national(body, in: region)
            }
            let asLongFormat = finish(international: body, isPlainDigits: isPlainDigits)
            switch asLongFormat {
            case .valid, .deliverable, .fixable:
                return asLongFormat
            case .invalid, .missing:
                // Not a long-format number as written: maybe a national number of the default country.
                guard let region = defaultRegion else { return asLongFormat }
                let asNational = national(body, in: region)
                if case .invalid = asNational { return asLongFormat }
                return asNational
            }
        }
    }

    /// A national number of `region`: the trunk prefix, if written, is dropped.
    private func national(_ digits: ArraySlice<UInt8>, in region: CallingCodePlan.Region) -> PhoneNumberVerdict {
        var national = digits
        let prefix = Array(region.nationalPrefix.utf8)
        if !prefix.isEmpty && national.starts(with: prefix) { national = national.dropFirst(prefix.count) }
        let full = Array(String(region.callingCode).utf8) + national
        return finish(international: full[...], isPlainDigits: false)
    }

    /// Checks `digits` as calling code + national number; `isPlainDigits` when the value was
    /// written exactly so (then it is valid, not fixable).
    private func finish(international digits: ArraySlice<UInt8>, isPlainDigits: Bool) -> PhoneNumberVerdict {
        if digits.first == UInt8(ascii: "0") { return .invalid(digits.count < 2 ? .tooShort : .unknownCountryCode) }
        if digits.count > 15 { return .invalid(.tooLong) }
        guard let (callingCode, codeDigits) = plan.callingCode(prefixing: digits) else {
            return .invalid(digits.count < 7 ? .tooShort : .unknownCountryCode)
        }
        var national = digits.dropFirst(codeDigits)
        var strippedTrunk = false
        // A trunk 0 written after the country code (+44 07700...) is dropped where the country uses one.
        if national.first == UInt8(ascii: "0") && plan.nationalPrefix(for: callingCode) == "0" {
            national = national.dropFirst()
            strippedTrunk = true
        }
        let total = codeDigits + national.count
        if total < 7 { return .invalid(.tooShort) }
        if total > 15 { return .invalid(.tooLong) }
        let lengths = plan.possibleLengths(for: callingCode)
        if !lengths.contains(national.count) {
            if let shortest = lengths.min(), national.count < shortest { return .invalid(.tooShort) }
            if let longest = lengths.max(), national.count > longest { return .invalid(.tooLong) }
            return .invalid(.impossibleLength(callingCode: callingCode, nationalDigits: national.count))
        }
        let long = String(callingCode) + String(decoding: national, as: UTF8.self)
        return isPlainDigits && !strippedTrunk ? .valid(long) : .fixable(long)
    }

    /// Removes a "(0)" group from the bytes; returns whether there was one.
    private static func removeTrunkInParentheses(_ bytes: inout ArraySlice<UInt8>) -> Bool {
        let pattern: [UInt8] = [UInt8(ascii: "("), UInt8(ascii: "0"), UInt8(ascii: ")")]
        guard bytes.count >= 3 else { return false }
        var index = bytes.startIndex
        while index <= bytes.endIndex - 3 {
            if bytes[index..<index + 3].elementsEqual(pattern) {
                var copy = Array(bytes[..<index])
                copy.append(contentsOf: bytes[(index + 3)...])
                bytes = copy[...]
                return true
            }
            index += 1
        }
        return false
    }

    /// The character whose UTF-8 encoding starts with `byte` in `text` (for error messages).
    private static func character(startingAt byte: UInt8, in text: String) -> Character? {
        text.first { $0.utf8.first == byte }
    }
}
