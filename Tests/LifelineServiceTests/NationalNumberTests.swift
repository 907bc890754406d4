import Testing

@testable import LifelineService

/// National numbers read as libphonenumber reads them: the inputs are its own parsing tests'
/// (PhoneNumberUtilTest: testParseNationalNumber, …Argentina, …Mexico, …WithLeadingZero,
/// …WithInternationalPrefixes), re-expressed against the real metadata; the expected long forms
/// and types are what libphonenumber (the `phonenumbers` package at Data/'s version) gives.
/// A long form is a number Lifeline sends to; a fixed line is read, then refused.
struct NationalNumberTests {
    static let fixed = "fixed line"
    static let table: [(input: String, region: String, long: String?)] = [
        ("033316005", "NZ", "fixed line 6433316005"), ("33316005", "NZ", "fixed line 6433316005"), ("03-331 6005", "NZ", "fixed line 6433316005"),
        ("03 331 6005", "NZ", "fixed line 6433316005"), ("0064 3 331 6005", "NZ", "fixed line 6433316005"), ("+64 3 331 6005", "US", "fixed line 6433316005"),
        ("301/23456", "DE", "fixed line 4930123456"), ("+1 (650) 253-0000", "NZ", "16502530000"), ("1-650-253-0000", "US", "16502530000"),
        ("+39 02-36618 300", "NZ", "fixed line 390236618300"), ("02-36618 300", "IT", "fixed line 390236618300"), ("345 678 901", "IT", "39345678901"),
        // Argentina: the 15 after the area code marks a mobile; it becomes a 9 after the country code.
        ("+54 9 343 555 1212", "AR", "5493435551212"), ("0343 15 555 1212", "AR", "5493435551212"),
        ("+54 9 3715 65 4320", "AR", "5493715654320"), ("03715 15 65 4320", "AR", "5493715654320"),
        ("911 876 54321", "AR", "5491187654321"), ("+54 11 8765 4321", "AR", "fixed line 541187654321"),
        ("011 8765 4321", "AR", "fixed line 541187654321"), ("03715 65 4321", "AR", "fixed line 543715654321"),
        ("01187654321", "AR", "fixed line 541187654321"), ("(0) 1187654321", "AR", "fixed line 541187654321"), ("0 1187654321", "AR", "fixed line 541187654321"),
        ("+52 (449)978-0001", "MX", "524499780001"), ("(449)978-0001", "MX", "524499780001"),
        ("01495 72553301873 810104", "GB", nil),
        // Beyond libphonenumber's tests: national formats the issue names, and common ones.
        ("020 7031 3000", "GB", "fixed line 442070313000"), ("07912 345678", "GB", "447912345678"),
        ("+44 (0) 7912 345678", "GB", "447912345678"), ("(246) 250-1234", "BB", "12462501234"),
        ("250-1234", "BB", "12462501234"), ("8 029 491-19-11", "BY", "375294911911"),
        ("(11) 96123-4567", "BR", "5511961234567"), ("0 11 96123-4567", "BR", "5511961234567"),
        ("131 2345 6789", "CN", "8613123456789"), ("06 12345678", "NL", "31612345678"), ("0151 23456789", "DE", "4915123456789"),
        ("612 34 56 78", "ES", "34612345678"), ("090-1234-5678", "JP", "819012345678"), ("0412 345 678", "AU", "61412345678"),
        ("(02) 9876 5432", "AU", "fixed line 61298765432"), ("021 123 4567", "ZA", "fixed line 27211234567"), ("98765 43210", "IN", "919876543210"),
    ]

    /// `long`: the long form sent to; "fixed line L": read as L, refused as a fixed line; nil: not a number.
    @Test(arguments: table)
    func readsAsLibphonenumberDoes(_ example: (input: String, region: String, long: String?)) throws {
        let region = try #require(CallingCodePlan.shipped.region(named: example.region))
        let verdict = PhoneNumberNormalizer(defaultRegion: region).verdict(for: example.input)
        if let long = example.long, long.hasPrefix(Self.fixed) {
            #expect(verdict == .invalid(.cannotReceiveSMS(.fixedLine)), "\(example.input) in \(example.region): \(verdict)")
        } else {
            #expect(verdict.longFormat == example.long, "\(example.input) in \(example.region): \(verdict)")
        }
    }

    /// A calling code as the default country reads exactly as its main country does
    /// (libphonenumber's first region for the code); leading digits still pick a country that
    /// shares the code. Expected long forms are libphonenumber's for the main country.
    @Test(arguments: [
        ("011 15-2345-6789", "54", "5491123456789"), ("8 912 345 67 89", "7", "79123456789"),
        ("8 701 234 5678", "7", "77012345678"), ("8 029 123 45 67", "375", "375291234567"),
        ("06 20 123 4567", "36", "36201234567"), ("07400 123456", "+44", "447400123456"),
    ])
    func aCallingCodeReadsAsItsMainCountry(_ input: String, _ code: String, _ long: String) throws {
        let region = try #require(CallingCodePlan.shipped.region(named: code))
        #expect(PhoneNumberNormalizer(defaultRegion: region).verdict(for: input).longFormat == long, "\(input) as \(code)")
    }

    @Test(arguments: table)
    func everyExampleReadsTheSameUnderItsCallingCode(_ example: (input: String, region: String, long: String?)) throws {
        let region = try #require(CallingCodePlan.shipped.region(named: example.region))
        let byCode = try #require(CallingCodePlan.shipped.region(named: String(region.callingCode)))
        guard byCode.code == region.code else { return }  // not its code's main country
        #expect(
            PhoneNumberNormalizer(defaultRegion: byCode).verdict(for: example.input)
                == PhoneNumberNormalizer(defaultRegion: region).verdict(for: example.input), "\(example.input) as \(region.callingCode)")
    }

    @Test func everyShippedRuleIsReadAndEveryRegionHasOne() throws {
        let text = try #require(ReferenceData.text(of: "phone_parsing.tsv"))
        var rows = 0
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            #expect(fields.count == 3, "\(line)")
            rows += 1
            if !fields[1].isEmpty { #expect(NumberPattern(String(fields[1])) != nil, "\(fields[0]): \(fields[1])") }
        }
        #expect(rows > 240 && NationalNumberRules.shipped.rule(for: "AR")?.transform == Array("9$1".utf8))
    }

    @Test func patternsMatchAsRegularExpressionsDo() throws {
        func whole(_ pattern: String, _ digits: String) throws -> Bool {
            try #require(NumberPattern(pattern)).matchesWhole(Array(digits.utf8))
        }
        #expect(try whole(#"7(?:[1-57-9]\d{8}|624\d{6})"#, "7912345678"))
        #expect(try whole(#"7(?:[1-57-9]\d{8}|624\d{6})"#, "7624123456"))
        #expect(try !whole(#"7(?:[1-57-9]\d{8}|624\d{6})"#, "7612345678"))
        #expect(try whole(#"\d{4,6}"#, "12345") && !whole(#"\d{4,6}"#, "123") && !whole(#"\d{4,6}"#, "1234567"))
        #expect(try whole(#"1?2*3+"#, "33") && whole(#"1?2*3+"#, "1223") && !whole(#"1?2*3+"#, "12"))
        #expect(try whole(#"(?:12|1)2"#, "12"), "backtracks into the shorter choice")
        let prefix = try #require(NumberPattern(#"0(\d{2})"#))
        let match = try #require(prefix.matchAtStart(Array("031123".utf8)))
        #expect(match.end == 3 && match.captures[1] == 1..<3)
        #expect(try #require(NumberPattern(#"([2-9]\d{6})$|1"#)).matchAtStart(Array("2501234".utf8))?.captures[1] == 0..<7)
        for broken in ["[", "(12", "\\x", "{2}", "1{2,a}", "[a-z]"] {
            #expect(NumberPattern(broken) == nil, "\(broken)")
        }
    }
}

/// The automata that type every number decide exactly as the patterns they are compiled from.
struct DigitAutomatonTests {
    @Test func everyShippedTypePatternCompilesAndAgreesWithBacktracking() throws {
        let text = try #require(ReferenceData.text(of: "phone_types.tsv"))
        let random = SplitMixRandom(seed: 19)
        var patterns = 0
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            let pattern = try #require(NumberPattern(String(fields[4])), "\(fields[0]) \(fields[1]) \(fields[2])")
            let automaton = DigitAutomaton(pattern)
            patterns += 1
            // Random numbers of every plausible length, and prefixes of them.
            for _ in 0..<40 {
                let length = 3 + Int(random.bytes(1)[0] % 14)
                let digits = random.bytes(length).map { 0x30 + $0 % 10 }
                #expect(automaton.matchesWhole(digits) == pattern.matchesWhole(digits), "\(fields[2]) \(fields[4]) on \(digits)")
                #expect(automaton.matchesAtStart(digits) == (pattern.matchAtStart(digits) != nil))
            }
        }
        #expect(patterns > 1_000)
    }

    @Test func aCompiledPatternMatchesItsOwnExamples() throws {
        let mobile = DigitAutomaton(try #require(NumberPattern(#"7(?:[1-57-9]\d{8}|624\d{6})"#)))
        #expect(mobile.matchesWhole(Array("7912345678".utf8)) && mobile.matchesWhole(Array("7624123456".utf8)))
        #expect(!mobile.matchesWhole(Array("7612345678".utf8)) && !mobile.matchesWhole(Array("791234567".utf8)))
        let leading = DigitAutomaton(try #require(NumberPattern("74576|(?:16|7[56])24")))
        #expect(leading.matchesAtStart(Array("7624123456".utf8)) && !leading.matchesAtStart(Array("7700900123".utf8)))
    }
}
