import LifelineVocabulary

// The service's words, stored as their raw values: bound and read through SQLiteRawValue, and an
// unknown stored value is an error naming the table, column and value.
extension UserStatus: SQLiteRawValue {}
extension AttributeSource: SQLiteRawValue {}
extension SMSNumberStatus: SQLiteRawValue {}
extension Program: SQLiteRawValue {}
extension MessageChannel: SQLiteRawValue {}
extension OutboxStatus: SQLiteRawValue {}
extension ConsentState: SQLiteRawValue {}
extension ConsentSource: SQLiteRawValue {}
extension EventState: SQLiteRawValue {}
extension EventKind: SQLiteRawValue {}
extension VerificationPurpose: SQLiteRawValue {}
extension VerificationStatus: SQLiteRawValue {}
extension VerificationOrigin: SQLiteRawValue {}
extension APIKeyRole: SQLiteRawValue {}
extension ConsoleRole: SQLiteRawValue {}
extension WebArea: SQLiteRawValue {}
extension WebSessionStage: SQLiteRawValue {}
extension ResetOptions: SQLiteRawValue {}
extension TwoStep: SQLiteRawValue {}
