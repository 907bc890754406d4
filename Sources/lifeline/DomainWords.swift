import ArgumentParser
import LifelineService

/// A word of the domain (a consent state, a code's purpose, a reset option) as the CLI reads
/// and prints it: spelled as the API, the database and the docs spell it (`opted_in`,
/// `password_reset`, `email_or_sms`), one spelling everywhere. The hyphenated form people type
/// out of habit (`opted-in`) is read as well.
protocol DomainWord: ExpressibleByArgument, RawRepresentable, CaseIterable where RawValue == String {}

extension DomainWord {
    public init?(argument: String) {
        self.init(rawValue: String(argument.map { $0 == "-" ? "_" : $0 }))
    }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension ConsentState: DomainWord {}
extension VerificationPurpose: DomainWord {}
extension ResetOptions: DomainWord {}
