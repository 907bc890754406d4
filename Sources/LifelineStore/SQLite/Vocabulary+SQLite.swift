import LifelineVocabulary

// The service's words, stored as their raw values: bound and read through SQLRawValue, and an
// unknown stored value is an error naming the table, column and value.
extension UserStatus: SQLRawValue {}
extension AttributeSource: SQLRawValue {}
extension DirectorySource: SQLRawValue {}
extension SMSNumberStatus: SQLRawValue {}
extension Program: SQLRawValue {}
extension MessageChannel: SQLRawValue {}
extension OutboxStatus: SQLRawValue {}
extension ConsentState: SQLRawValue {}
extension ConsentSource: SQLRawValue {}
extension EventState: SQLRawValue {}
extension EventKind: SQLRawValue {}
extension TriggerSource: SQLRawValue {}
extension VerificationPurpose: SQLRawValue {}
extension VerificationStatus: SQLRawValue {}
extension VerificationOrigin: SQLRawValue {}
extension APIKeyRole: SQLRawValue {}
extension ConsoleRole: SQLRawValue {}
extension WebArea: SQLRawValue {}
extension WebSessionStage: SQLRawValue {}
extension ResetOptions: SQLRawValue {}
extension TwoStep: SQLRawValue {}
