import Testing

@testable import LifelineService

struct SMSLengthTests {
    @Test(arguments: [
        ("", SMSLength.Encoding.gsm7, 0, 1),
        ("Email is down. Use Teams.", .gsm7, 25, 1),
        (String(repeating: "a", count: 160), .gsm7, 160, 1),
        (String(repeating: "a", count: 161), .gsm7, 161, 2),
        (String(repeating: "a", count: 306), .gsm7, 306, 2),
        (String(repeating: "a", count: 307), .gsm7, 307, 3),
        (String(repeating: "a", count: 459), .gsm7, 459, 3),
        (String(repeating: "a", count: 460), .gsm7, 460, 4),
        ("Cost: 5€ [see] {this} ^~\\|", .gsm7, 35, 1),
        (String(repeating: "€", count: 80), .gsm7, 160, 1),
        (String(repeating: "€", count: 81), .gsm7, 162, 2),
        ("Café déjà vu: Ñoño, Ørsted, Æble, ΔΦΓ", .gsm7, 37, 1),
        // ú and lowercase Greek are not in the GSM alphabet: the whole body goes as UCS-2.
        ("Café déjà vu: Ñandú, Ørsted, Æble, Γειά", .ucs2, 39, 1),
        ("Zoë", .ucs2, 3, 1),
        ("Outage 😀", .ucs2, 9, 1),
        (String(repeating: "ж", count: 70), .ucs2, 70, 1),
        (String(repeating: "ж", count: 71), .ucs2, 71, 2),
        (String(repeating: "ж", count: 134), .ucs2, 134, 2),
        (String(repeating: "ж", count: 135), .ucs2, 135, 3),
        ("東京のメールが停止しています", .ucs2, 14, 1),
    ] as [(String, SMSLength.Encoding, Int, Int)])
    func measuresEncodingUnitsAndSegments(body: String, encoding: SMSLength.Encoding, units: Int, segments: Int) {
        let length = SMSLength(body: body)
        #expect(length.encoding == encoding)
        #expect(length.units == units)
        #expect(length.segments == segments)
    }

    @Test func anExtensionCharacterIsNotSplitAcrossParts() {
        // 152 septets then a euro sign (2): the euro cannot straddle the 153-septet boundary.
        let body = String(repeating: "a", count: 152) + "€" + String(repeating: "b", count: 152)
        #expect(SMSLength(body: body).units == 306)
        #expect(SMSLength(body: body).segments == 3)
    }

    @Test func anEmojiIsNotSplitAcrossParts() {
        let body = String(repeating: "ж", count: 66) + "😀" + String(repeating: "ж", count: 66)
        #expect(SMSLength(body: body).units == 134)
        #expect(SMSLength(body: body).segments == 3)
    }

    @Test func warnsAboveThreeSegments() {
        #expect(!SMSLength(body: String(repeating: "a", count: 459)).needsWarning)
        #expect(SMSLength(body: String(repeating: "a", count: 460)).needsWarning)
    }
}
