/// How an SMS body will travel: its encoding and how many segments it takes.
public struct SMSLength: Sendable, Equatable {
    /// The alphabet a body is sent in.
    public enum Encoding: String, Sendable {
        /// The GSM 03.38 default alphabet: 7 bits a character, extension characters take two.
        case gsm7 = "GSM-7"
        /// UCS-2 (UTF-16 code units): for anything outside GSM-7, emoji take two units.
        case ucs2 = "UCS-2"
    }

    public let encoding: Encoding
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    public let units: Int
    /// The number of SMS parts the body is split into.
    public let segments: Int

    /// More than this many segments is worth a warning: costly, and reassembly grows unreliable.
    public static let warningSegments = 3

    /// Measures `body`.
    public init(body: String) {
        if let septets = Self.gsmSeptets(of: body) {
            encoding = .gsm7
            units = septets.reduce(0, +)
            segments = Self.segments(of: septets, single: 160, part: 153)
        } else {
            // A surrogate pair must not be split across parts: measure per scalar.
            let codeUnits = body.unicodeScalars.map { $0.value > 0xFFFF ? 2 : 1 }
            encoding = .ucs2
            units = codeUnits.reduce(0, +)
            segments = Self.segments(of: codeUnits, single: 70, part: 67)
        }
    }

    /// Whether the body is long enough to warn about.
    public var needsWarning: Bool { segments > Self.warningSegments }

    /// Septets per character, or nil when a character is not in the GSM-7 alphabet.
    private static func gsmSeptets(of body: String) -> [Int]? {
        var septets: [Int] = []
        septets.reserveCapacity(body.unicodeScalars.count)
        for scalar in body.unicodeScalars {
            if basic.contains(scalar) {
                septets.append(1)
            } else if extended.contains(scalar) {
                septets.append(2)
            } else {
                return nil
            }
        }
        return septets
    }

    /// Parts needed when each part holds `part` units (an item never split across parts).
    private static func segments(of sizes: [Int], single: Int, part: Int) -> Int {
        let total = sizes.reduce(0, +)
        if total == 0 { return 1 }
        if total <= single { return 1 }
        var count = 1
        var used = 0
        for size in sizes {
            if used + size > part {
                count += 1
                used = 0
            }
            used += size
        }
        return count
    }

    /// The GSM 03.38 default alphabet (one septet each).
    private static let basic: Set<Unicode.Scalar> = Set(
        ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
            + "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà").unicodeScalars)

    /// The GSM 03.38 extension table (an escape plus a septet: two each).
    private static let extended: Set<Unicode.Scalar> = Set("^{}\\[~]|€\u{0C}".unicodeScalars)
}
