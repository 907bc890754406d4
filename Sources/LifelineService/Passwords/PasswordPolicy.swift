/// The account-wide password policy: length, character classes, not the email's local part,
/// not a common password. Every rule a password breaks is reported, by name.
public struct PasswordPolicy: Sendable, Equatable {
    static let minimumLengthKey = "policy.min_length"
    static let characterClassesKey = "policy.character_classes"
    public static let defaultMinimumLength = 8
    public static let defaultCharacterClasses = 3
    public static let maximumLength = 256

    /// 8–64 characters.
    public var minimumLength = PasswordPolicy.defaultMinimumLength
    /// How many of lower case, upper case, digits and other characters it must mix (1–4).
    public var characterClasses = PasswordPolicy.defaultCharacterClasses

    public init(minimumLength: Int = PasswordPolicy.defaultMinimumLength, characterClasses: Int = PasswordPolicy.defaultCharacterClasses) {
        self.minimumLength = minimumLength
        self.characterClasses = characterClasses
    }

    /// The rules `password` breaks for the user with `email`; empty when it meets the policy.
    /// The rules as a form lists them before anyone types, in the order ``violations`` checks them.
    public var requirements: [String] {
        [
            PasswordRule.tooShort(minimum: minimumLength).description,
            "at least \(characterClasses) of lower case, upper case, digits and symbols",
            "not containing the name part of your email address",
            "not one of the 30,000 most common passwords in breach data",
        ]
    }

    public func violations(of password: String, email: String) -> [PasswordRule] {
        var broken: [PasswordRule] = []
        let length = password.count
        if length < minimumLength { broken.append(.tooShort(minimum: minimumLength)) }
        if length > Self.maximumLength { broken.append(.tooLong(maximum: Self.maximumLength)) }
        let classes = CharacterClass.classes(in: password)
        if classes.count < characterClasses { broken.append(.tooFewCharacterClasses(required: characterClasses, found: classes.count)) }
        let localPart = email.split(separator: "@").first.map { String($0).lowercased() } ?? ""
        // A one- or two-letter local part ("jo@") would forbid too much to mean anything.
        if localPart.count >= 3 && password.lowercased().contains(localPart) { broken.append(.containsEmailName) }
        if CommonPasswords.shipped.contains(password) { broken.append(.common) }
        return broken
    }
}

/// One rule of the password policy, as a failed check names it.
public enum PasswordRule: Sendable, Equatable, CustomStringConvertible {
    case tooShort(minimum: Int)
    case tooLong(maximum: Int)
    case tooFewCharacterClasses(required: Int, found: Int)
    case containsEmailName
    case common

    public var description: String {
        switch self {
        case .tooShort(let minimum): "at least \(minimum) characters"
        case .tooLong(let maximum): "at most \(maximum) characters"
        case .tooFewCharacterClasses(let required, let found):
            "at least \(required) of lower case, upper case, digits and symbols (it has \(found))"
        case .containsEmailName: "must not contain the name part of the email address"
        case .common: "must not be one of the 30,000 most common passwords in breach data"
        }
    }
}

/// The four character classes the policy counts.
enum CharacterClass: CaseIterable {
    case lower, upper, digit, other

    static func classes(in password: String) -> Set<CharacterClass> {
        var found = Set<CharacterClass>()
        for character in password {
            if character.isLowercase {
                found.insert(.lower)
            } else if character.isUppercase {
                found.insert(.upper)
            } else if character.isNumber {
                found.insert(.digit)
            } else {
                found.insert(.other)
            }
        }
        return found
    }
}

/// The common-password list shipped with the binary (`Data/common_passwords.tsv`).
enum CommonPasswords {
    static let shipped: CommonPasswordList = {
        // The build embeds the file; without it the policy could not refuse common passwords.
        guard let text = ReferenceData.text(of: "common_passwords.tsv") else {
            preconditionFailure("the build did not embed Data/common_passwords.tsv")
        }
        return CommonPasswordList(text: text)
    }()
}

/// A set of passwords compared ignoring case, as breach lists are mostly lower case.
struct CommonPasswordList: Sendable {
    let entries: Set<String>

    init(text: String) {
        entries = Set(
            text.split(separator: "\n", omittingEmptySubsequences: true)
                .filter { !$0.hasPrefix("#") }
                .map { $0.lowercased() })
    }

    var count: Int { entries.count }

    func contains(_ password: String) -> Bool {
        entries.contains(password.lowercased())
    }
}

extension SettingsService {
    /// The password policy the settings describe.
    public func passwordPolicy() throws -> PasswordPolicy {
        let values = Dictionary(uniqueKeysWithValues: try list().map { ($0.key, $0.value) })
        return PasswordPolicy(
            minimumLength: values[PasswordPolicy.minimumLengthKey].flatMap { $0.flatMap(Int.init) }
                ?? PasswordPolicy.defaultMinimumLength,
            characterClasses: values[PasswordPolicy.characterClassesKey].flatMap { $0.flatMap(Int.init) }
                ?? PasswordPolicy.defaultCharacterClasses)
    }

    /// Changes the policy's limits (each validated like `settings set`).
    public func setPasswordPolicy(minimumLength: Int?, characterClasses: Int?) throws {
        if let minimumLength { try set(PasswordPolicy.minimumLengthKey, to: String(minimumLength)) }
        if let characterClasses { try set(PasswordPolicy.characterClassesKey, to: String(characterClasses)) }
    }

    /// The number of passwords in the shipped common-password list.
    public var commonPasswordCount: Int { CommonPasswords.shipped.count }
}
