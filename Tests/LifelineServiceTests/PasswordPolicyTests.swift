import Testing

@testable import LifelineService

struct PasswordPolicyTests {
    private let policy = PasswordPolicy()

    @Test func theShippedListHasAtLeastTenThousandCommonPasswords() {
        #expect(CommonPasswords.shipped.count >= 10_000)
        for password in ["123456", "password", "qwerty", "iloveyou", "PASSWORD", "Dragon"] {
            #expect(CommonPasswords.shipped.contains(password), "\(password)")
        }
        #expect(!CommonPasswords.shipped.contains("correct horse battery staple 4 Lifeline"))
    }

    @Test func aGoodPasswordBreaksNoRule() {
        #expect(policy.violations(of: "Tulip-Harbour-7", email: "ann.lee@example.com") == [])
    }

    @Test(arguments: [
        ("Ab1-xyz", [PasswordRule.tooShort(minimum: 8)]),
        ("abcdefghij", [.tooFewCharacterClasses(required: 3, found: 1)]),
        ("ann.lee-Rocks-9", [.containsEmailName]),
        ("ANN.LEE-rocks-9", [.containsEmailName]),
        ("Password1", [.common]),
        ("qwerty", [.tooShort(minimum: 8), .tooFewCharacterClasses(required: 3, found: 1), .common]),
    ])
    func eachRuleIsNamed(password: String, broken: [PasswordRule]) {
        #expect(policy.violations(of: password, email: "ann.lee@example.com") == broken)
    }

    @Test func theLimitsFollowTheSettings() {
        let strict = PasswordPolicy(minimumLength: 12, characterClasses: 4)
        #expect(strict.violations(of: "Tulip-Harbour", email: "x@example.com") == [.tooFewCharacterClasses(required: 4, found: 3)])
        #expect(strict.violations(of: "Tu-Harbour-7", email: "x@example.com") == [])
        #expect(policy.violations(of: String(repeating: "Aa1-", count: 65), email: "x@example.com") == [.tooLong(maximum: 256)])
        // A very short local part is not a rule: "jo" would forbid half the dictionary.
        #expect(policy.violations(of: "Jolly-Tulip-7", email: "jo@example.com") == [])
    }
}
