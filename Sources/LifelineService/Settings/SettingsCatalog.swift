/// One setting the service knows: its key, what it does, its default and its rule.
public struct SettingDefinition: Sendable {
    public let key: String
    public let summary: String
    public let defaultValue: String?
    /// The rule, as the error states it.
    public let rule: String
    let isValid: @Sendable (String) -> Bool
}

/// Every setting `lifeline settings set` accepts.
public enum SettingsCatalog {
    public static let all: [SettingDefinition] = [
        SettingDefinition(
            key: SMSSettings.attributeKey, summary: "the user attribute that holds SMS numbers", defaultValue: nil,
            rule: "the name of an existing attribute (`lifeline attributes list`)", isValid: { !$0.isEmpty }),
        SettingDefinition(
            key: SMSNumberRule.defaultCountryKey,
            summary: "the country national numbers (07700 900123) are read in; unset, they are not sent to",
            defaultValue: nil, rule: "a country's ISO code (GB) or calling code (44)",
            isValid: { CallingCodePlan.shipped.region(named: $0) != nil }),
        SettingDefinition(
            key: ConsentService.programNameKey, summary: "the program name that starts every consent message",
            defaultValue: "Lifeline outage alerts", rule: "1 to 40 characters",
            isValid: { (1...40).contains($0.unicodeScalars.count) }),
        SettingDefinition(
            key: ConsentService.supportContactKey, summary: "how to get support, in the HELP reply",
            defaultValue: "your IT service desk", rule: "1 to 80 characters",
            isValid: { (1...80).contains($0.unicodeScalars.count) }),
        SettingDefinition(
            key: VerificationService.codeLengthKey, summary: "digits in a verification code",
            defaultValue: String(VerificationService.defaultCodeLength), rule: "a whole number from 6 to 10",
            isValid: { Int($0).map { (6...10).contains($0) } ?? false }),
        SettingDefinition(
            key: VerificationService.lifetimeKey, summary: "minutes a verification code stays valid",
            defaultValue: String(VerificationService.defaultLifetimeMinutes), rule: "a whole number from 1 to 30",
            isValid: { Int($0).map { (1...30).contains($0) } ?? false }),
        SettingDefinition(
            key: PasswordPolicy.minimumLengthKey, summary: "the fewest characters a password may have",
            defaultValue: String(PasswordPolicy.defaultMinimumLength), rule: "a whole number from 8 to 64",
            isValid: { Int($0).map { (8...64).contains($0) } ?? false }),
        SettingDefinition(
            key: PasswordPolicy.characterClassesKey,
            summary: "how many of lower case, upper case, digits and symbols a password must mix",
            defaultValue: String(PasswordPolicy.defaultCharacterClasses), rule: "a whole number from 1 to 4",
            isValid: { Int($0).map { (1...4).contains($0) } ?? false }),
        SettingDefinition(
            key: ProofOfWork.difficultyKey,
            summary: "the portal captcha's work: leading zero bits (each one doubles a browser's seconds)",
            defaultValue: String(ProofOfWork.defaultDifficulty),
            rule: "a whole number from \(ProofOfWork.difficultyRange.lowerBound) to \(ProofOfWork.difficultyRange.upperBound)",
            isValid: { Int($0).map { ProofOfWork.difficultyRange.contains($0) } ?? false }),
        SettingDefinition(
            key: SCIMAttributeMap.key,
            summary: "which SCIM attribute (from an identity provider) fills which user attribute",
            defaultValue: SCIMAttributeMap.defaultText, rule: SCIMAttributeMap.rule,
            isValid: { (try? SCIMAttributeMap(parsing: $0)) != nil }),
    ]

    static func definition(for key: String) -> SettingDefinition? {
        all.first { $0.key == key }
    }
}

/// A setting that cannot be set.
public enum SettingsFailure: LifelineFailure, Equatable {
    case unknownKey(String)
    case invalidValue(key: String, value: String, rule: String)
    /// A value that breaks its rule in a way worth naming (which entry of a list, and why).
    case refused(key: String, reason: String)

    public var kind: FailureKind { .usage }

    public var message: String {
        switch self {
        case .unknownKey(let key):
            "no setting named '\(key)'; the settings are: \(SettingsCatalog.all.map(\.key).joined(separator: ", "))"
        case .invalidValue(let key, let value, let rule): "'\(value)' is not allowed for \(key): it must be \(rule)"
        case .refused(let key, let reason): "\(key) cannot be set so: \(reason)"
        }
    }

    public var remedy: String? { nil }
}
