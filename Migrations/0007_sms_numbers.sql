-- Each user's SMS number as the service's one rule judged it (PhoneNumberNormalizer): the
-- verdict on the SMS attribute's value, and the long-format number exactly when it is valid.
-- Audience, preview, consent, summaries, inbound matching and codes all read these columns;
-- only the service writes them (import, choosing the SMS attribute, fixing numbers, migrate).
--
-- SQL cannot run the normaliser, so existing rows start as 'missing' and `lifeline migrate`
-- fills them in the same run (DatabaseMaintenance); a database whose numbers were judged by
-- another version of the rule (settings key sms.rule_version) is refused until migrated.

ALTER TABLE users ADD COLUMN sms_status TEXT NOT NULL DEFAULT 'missing'
    CHECK (sms_status IN ('valid', 'missing', 'invalid', 'fixable'));
ALTER TABLE users ADD COLUMN sms_number TEXT
    CHECK ((sms_number IS NOT NULL) = (sms_status = 'valid'));
-- Why a value is not valid: the problem (invalid), or the long form it would become (fixable).
ALTER TABLE users ADD COLUMN sms_note TEXT;

CREATE INDEX users_by_sms_number ON users (sms_number) WHERE sms_number IS NOT NULL;
