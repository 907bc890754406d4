import Testing

@testable import LifelineService

struct PhoneNumberNormalizerTests {
    private static func normalizer(_ region: String? = nil) -> PhoneNumberNormalizer {
        PhoneNumberNormalizer(defaultRegion: region.flatMap { CallingCodePlan.shipped.region(named: $0) })
    }

    @Test(arguments: [
        // Already long format.
        ("447700900123", nil, PhoneNumberVerdict.valid("447700900123")),
        ("14155550100", nil, .valid("14155550100")),
        ("4915123456789", nil, .valid("4915123456789")),
        ("353871234567", nil, .valid("353871234567")),
        ("33612345678", nil, .valid("33612345678")),
        ("393123456789", nil, .valid("393123456789")),
        ("  447700900123 ", nil, .valid("447700900123")),
        // International forms with + or 00, separators, and (0).
        ("+44 7700 900123", nil, .deliverable("447700900123")),
        ("+44 (0)7700 900123", nil, .deliverable("447700900123")),
        ("+44 07700 900123", nil, .deliverable("447700900123")),
        ("0044 7700 900123", nil, .deliverable("447700900123")),
        ("00447700900123", nil, .deliverable("447700900123")),
        ("44 7700 900123", nil, .fixable("447700900123")),
        ("4407700900123", nil, .fixable("447700900123")),
        ("+1 (415) 555-0100", nil, .deliverable("14155550100")),
        ("1-415-555-0100", nil, .fixable("14155550100")),
        ("1.415.555.0100", nil, .fixable("14155550100")),
        ("0049 151 23456789", nil, .deliverable("4915123456789")),
        ("+49 (151) 23456789", nil, .deliverable("4915123456789")),
        ("+353 (0)87 123 4567", nil, .deliverable("353871234567")),
        ("+33 6 12 34 56 78", nil, .deliverable("33612345678")),
        ("+39 312 345 6789", nil, .deliverable("393123456789")),
        ("+7 912 345-67-89", nil, .deliverable("79123456789")),
        ("+61 4 1234 5678", nil, .deliverable("61412345678")),
        ("+81 90-1234-5678", nil, .deliverable("819012345678")),
        ("+86 138 0013 8000", nil, .deliverable("8613800138000")),
        ("+91 98765 43210", nil, .deliverable("919876543210")),
        ("+27 82 123 4567", nil, .deliverable("27821234567")),
        ("+55 11 91234-5678", nil, .deliverable("5511912345678")),
        // National numbers: only with a default country.
        ("07700 900123", nil, .invalid(.leadingZero)),
        ("07700 900123", "GB", .deliverable("447700900123")),
        ("07700900123", "gb", .deliverable("447700900123")),
        ("07700 900123", "44", .deliverable("447700900123")),
        ("087 123 4567", "IE", .deliverable("353871234567")),
        ("06 12 34 56 78", "FR", .deliverable("33612345678")),
        ("0151 23456789", "DE", .deliverable("4915123456789")),
        ("(415) 555-0100", "US", .deliverable("14155550100")),
        ("447700900123", "FR", .valid("447700900123")),  // read as-is when valid long format
        // Invalid, with the reason.
        ("", nil, .missing),
        ("   ", nil, .missing),
        ("abc", nil, .invalid(.letters)),
        ("+44 7700 9OO123", nil, .invalid(.letters)),
        ("+44 7700 900123#", nil, .invalid(.unexpectedCharacter("#"))),
        ("+44 7700 900123 exit", nil, .invalid(.letters)),
        // What exports put around numbers: tel: URIs, extensions (dropped, and said), ++.
        ("tel:+44-7700-900123", nil, .deliverable("447700900123")),
        ("TEL:+1-415-555-0100;isub=12", nil, .deliverable("14155550100")),
        ("tel:021-123-4567;phone-context=+64", nil, .deliverable("64211234567")),
        ("tel:+44-7700-900123;ext=12", nil, .deliverable("447700900123", droppedExtension: "12")),
        ("+1 415 555 0100 ext 2", nil, .deliverable("14155550100", droppedExtension: "2")),
        ("+1 415 555 0100 Ext. 204", nil, .deliverable("14155550100", droppedExtension: "204")),
        ("+44 7700 900123 x123", nil, .deliverable("447700900123", droppedExtension: "123")),
        ("447700900123x9", nil, .deliverable("447700900123", droppedExtension: "9")),
        ("+44 7700 900123 extension 4567", nil, .deliverable("447700900123", droppedExtension: "4567")),
        ("+44 7700 900123;ext=7", nil, .deliverable("447700900123", droppedExtension: "7")),
        ("+44 7700 900123 #12", nil, .deliverable("447700900123", droppedExtension: "12")),
        ("07700 900123 x5", "GB", .deliverable("447700900123", droppedExtension: "5")),
        ("+44 7700 900123 x12345678", nil, .invalid(.letters)),  // eight digits: not an extension
        ("++447700900123", nil, .deliverable("447700900123")),
        ("+ 44 7700 900123", nil, .deliverable("447700900123")),
        // A spreadsheet's scientific notation is never read back into a number.
        ("4.47700900123E+11", nil, .invalid(.spreadsheetMangled)),
        ("4,47700900123E+11", nil, .invalid(.spreadsheetMangled)),
        ("4.477009E+11", "GB", .invalid(.spreadsheetMangled)),
        ("1.4155550100e10", nil, .invalid(.spreadsheetMangled)),
        ("12345", nil, .invalid(.tooShort)),
        ("+44", nil, .invalid(.tooShort)),
        ("1234567890123456", nil, .invalid(.tooLong)),
        ("+1 415 555 01001", nil, .invalid(.tooLong)),
        ("+0 123 456 789", nil, .invalid(.unknownCountryCode)),
        ("+289 123 4567", nil, .invalid(.unknownCountryCode)),
        ("4477009001", nil, .invalid(.impossibleLength(callingCode: 44, nationalDigits: 8))),
        // Lines that cannot receive an SMS, typed as libphonenumber types them.
        ("49301234567", nil, .invalid(.cannotReceiveSMS(.fixedLine))),
        ("+39 06 1234 5678", nil, .invalid(.cannotReceiveSMS(.fixedLine))),  // Italy keeps its leading 0
        ("030 1234567", "DE", .invalid(.cannotReceiveSMS(.fixedLine))),
        ("+44 800 123 4567", nil, .invalid(.cannotReceiveSMS(.tollFree))),
        ("+44 909 876 5432", nil, .invalid(.cannotReceiveSMS(.premiumRate))),
        ("+1 (900) 234-5678", nil, .invalid(.cannotReceiveSMS(.premiumRate))),
        ("(900) 234-5678", "US", .invalid(.cannotReceiveSMS(.premiumRate))),
        ("12015550123", nil, .valid("12015550123")),  // NANP: fixed line or mobile, sent to
        ("+44 7624 123456", nil, .deliverable("447624123456")),  // +44, but the Isle of Man's mobile range
        ("+44 1624 756789", nil, .invalid(.cannotReceiveSMS(.fixedLine))),  // the Isle of Man's fixed lines
        ("447700900123", nil, .valid("447700900123")),  // Ofcom's fiction range: in no range, not refused
        ("0", nil, .invalid(.leadingZero)),
        // E.164 names its country: sent to its long form (the first hour's 100k-user directory).
        ("+447870133173", nil, .deliverable("447870133173")),
        // 011 is North America's international prefix; Leeds' numbers start 0113 in the UK.
        ("011 44 7700 900123", nil, .deliverable("447700900123")),
        ("011447700900123", "GB", .deliverable("447700900123")),
        ("011 49 151 23456789", "US", .deliverable("4915123456789")),
        ("0113 496 0000", "GB", .invalid(.cannotReceiveSMS(.fixedLine))),
        ("0113 496 0000", nil, .invalid(.leadingZero)),
        // National with no default country: not sent to, and the error says how to set one.
        ("07700 900123", nil, .invalid(.leadingZero)),
    ] as [(String, String?, PhoneNumberVerdict)])
    func verdicts(value: String, defaultCountry: String?, expected: PhoneNumberVerdict) {
        #expect(Self.normalizer(defaultCountry).verdict(for: value) == expected)
    }

    @Test func planKnowsTheAssignedCallingCodes() throws {
        let plan = CallingCodePlan.shipped
        #expect(plan.callingCodeCount > 200)
        #expect(plan.region(named: "GB") == CallingCodePlan.Region(code: "GB", callingCode: 44, nationalPrefix: "0"))
        #expect(plan.region(named: "+1") == CallingCodePlan.Region(code: "US", callingCode: 1, nationalPrefix: "1"))
        #expect(plan.region(named: "7")?.code == "RU" && plan.region(named: "54")?.code == "AR")
        #expect(plan.region(named: "XX") == nil)
        #expect(plan.region(named: "289") == nil)
    }
}
