/// Reads stored values as SMS numbers in long format: country calling code + national number,
/// digits only, no `+`, no leading zero, no trunk `0` after the country code, 7 to 15 digits,
/// an assigned calling code and a national length possible for it.
public struct PhoneNumberNormalizer: Sendable {
    public let plan: CallingCodePlan
    let types = NumberTypes.shipped
    /// The region national numbers (with or without a trunk `0`) are read in; nil: none.
    public let defaultRegion: CallingCodePlan.Region?

    public init(plan: CallingCodePlan = .shipped, defaultRegion: CallingCodePlan.Region? = nil) {
        self.plan = plan
        self.defaultRegion = defaultRegion
    }

    private enum Form {
        /// Written with `+`, `00` or `011`: the calling code comes first.
        case international
        /// Digits with no international marker.
        case bare
    }

    /// How surely the way a value is written says which number it is.
    private enum Writing {
        /// Exactly the long format: digits only, calling code first.
        case longFormat
        /// The country is named (`+`, `00`, `011`, `tel:`), or the value is a national number
        /// of the organisation's default country: sent to, though not in long format.
        case unambiguous
        /// Digits that may be a long-format number written with separators or a trunk `0`, or
        /// may be something else: nothing is sent until someone confirms it by fixing it.
        case ambiguous
    }

    /// North America's international prefix, which some directories keep in front of numbers.
    private static let northAmericanExit: [UInt8] = [UInt8(ascii: "0"), UInt8(ascii: "1"), UInt8(ascii: "1")]

    /// The verdict for one stored value.
    public func verdict(for value: String) -> PhoneNumberVerdict {
        let verdict = verdict(forNumber: value)
        // What exports put around numbers (`tel:`, an extension, scientific notation) always has
        // a letter or a `#`: only a value refused for one is read again, so plain ones pay nothing.
        switch verdict {
        case .invalid(.letters), .invalid(.unexpectedCharacter): break
        default: return verdict
        }
        let text = Substring(value.trimmingBlanks())
        switch ExportedNumberText.read(text) {
        case .mangled:
            return .invalid(.spreadsheetMangled)
        case .number(let number, nil) where number == text:
            return verdict
        case .number(let number, let dropped):
            // What was around the number (a `tel:` URI, an extension) is not long format, but
            // says nothing about which number it is: it is sent to exactly when the number is.
            switch self.verdict(forNumber: String(number)) {
            case .valid(let long), .deliverable(let long, _):
                return .deliverable(long, droppedExtension: dropped.map(String.init))
            case .fixable(let long, _):
                return .fixable(long, droppedExtension: dropped.map(String.init))
            case let other:
                return other
            }
        }
    }

    /// The verdict for a number's own text, once anything around it is off.
    private func verdict(forNumber value: String) -> PhoneNumberVerdict {
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
            case UInt8(ascii: "+") where !sawDigit:
                // `++44 …` as some phones and exports write it: still one international marker.
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
            return finish(international: body, writing: .unambiguous)
        case .bare where body.starts(with: Self.northAmericanExit):
            // 011 then a calling code is how North America dials abroad. Elsewhere a national
            // number can start so (Leeds is 0113): with a default country whose reading makes a
            // number of that country, that reading wins.
            let international = finish(international: body.dropFirst(3), writing: .unambiguous)
            guard let region = defaultRegion else {
                return international.longFormat != nil ? international : .invalid(.leadingZero)
            }
            let asNational = national(body, in: region)
            if asNational.longFormat != nil || isKnownNumber(asNational) || international.longFormat == nil {
                return asNational
            }
            return international
        case .bare:
            if body.first == UInt8(ascii: "0") {
                guard let region = defaultRegion else { return .invalid(.leadingZero) }
                return national(body, in: region)
            }
            let bareWriting = isPlainDigits ? Writing.longFormat : .ambiguous
            guard let region = defaultRegion else { return finish(international: body, writing: bareWriting) }
            // With a default country, a number with no `+` or `00` may be national or long
            // format. Written with spaces or brackets ("612 34 56 78", "(246) 250-1234"), it is
            // in its national format: read it as the country's first, as libphonenumber does.
            // Plain digits are long format first, unless only the national reading lands in a
            // range the metadata knows.
            let asNational = national(body, in: region)
            let nationalIsKnown = isKnownNumber(asNational)
            if hasSeparators || trunkInParentheses, nationalIsKnown || asNational.longFormat != nil { return asNational }
            let asLongFormat = finish(international: body, writing: bareWriting)
            if nationalIsKnown && !isKnownNumber(asLongFormat) { return asNational }
            switch asLongFormat {
            case .valid, .deliverable, .fixable:
                return asLongFormat
            case .invalid, .missing:
                // Not a long-format number as written: maybe a national number of the default country.
                if case .invalid = asNational { return asLongFormat }
                return asNational
            }
        }
    }

    /// Whether a verdict is about a number in a range the metadata knows: one to send to whose
    /// type is known, or one refused for its type.
    private func isKnownNumber(_ verdict: PhoneNumberVerdict) -> Bool {
        switch verdict {
        case .invalid(.cannotReceiveSMS): return true
        case .valid(let long), .deliverable(let long, _), .fixable(let long, _):
            let digits = Array(long.utf8)[...]
            guard let (code, count) = plan.callingCode(prefixing: digits) else { return false }
            return types.kind(callingCode: code, national: digits.dropFirst(count)) != nil
        case .invalid, .missing: return false
        }
    }

    /// A national number of `region`: its national prefix and any carrier code, if written, are
    /// stripped or rewritten by the region's rule; kept when what is left could not be a number.
    private func national(_ digits: ArraySlice<UInt8>, in region: CallingCodePlan.Region) -> PhoneNumberVerdict {
        let written = Array(digits)
        let stripped = NationalNumberRules.shipped.stripNationalPrefix(written, region: region, types: types)
        let lengths = plan.possibleLengths(for: region.callingCode)
        let national = stripped.count < written.count && !lengths.contains(stripped.count) && lengths.contains(written.count)
            ? written : stripped
        let full = Array(String(region.callingCode).utf8) + national
        return finish(international: full[...], writing: .unambiguous)
    }

    /// Checks `digits` as calling code + national number, written as `writing` says.
    private func finish(international digits: ArraySlice<UInt8>, writing: Writing) -> PhoneNumberVerdict {
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
        if let kind = types.kind(callingCode: callingCode, national: national), !kind.receivesSMS {
            return .invalid(.cannotReceiveSMS(kind))
        }
        let long = String(callingCode) + String(decoding: national, as: UTF8.self)
        switch writing {
        case .longFormat where !strippedTrunk: return .valid(long)
        case .unambiguous: return .deliverable(long)
        case .longFormat, .ambiguous: return .fixable(long)
        }
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
