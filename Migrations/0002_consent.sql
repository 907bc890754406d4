-- Consent to the continuity program as an append-only ledger, the outbox of messages to send,
-- and the inbound SMS messages received. Times are INTEGER Unix epoch milliseconds, UTC.

-- Every change of consent, for a user and the number it was given for. Never updated or deleted.
CREATE TABLE consent_ledger (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    -- Long format: country code + national number, digits only, no leading zero, 7-15 digits.
    number TEXT NOT NULL
        CHECK (length(number) BETWEEN 7 AND 15 AND number NOT GLOB '*[^0-9]*' AND number NOT GLOB '0*'),
    program TEXT NOT NULL CHECK (program IN ('continuity')),
    state TEXT NOT NULL CHECK (state IN ('pending', 'opted_in', 'opted_out')),
    source TEXT NOT NULL CHECK (source IN ('portal', 'sms_keyword', 'admin')),
    actor TEXT NOT NULL,
    evidence TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
) STRICT;

CREATE INDEX consent_ledger_by_user ON consent_ledger (user_id, program, number, id);
CREATE INDEX consent_ledger_by_number ON consent_ledger (number, id);

CREATE TRIGGER consent_ledger_is_append_only_update BEFORE UPDATE ON consent_ledger
BEGIN
    SELECT RAISE(ABORT, 'consent_ledger rows are never changed: append a new row instead');
END;

CREATE TRIGGER consent_ledger_is_append_only_delete BEFORE DELETE ON consent_ledger
BEGIN
    SELECT RAISE(ABORT, 'consent_ledger rows are never deleted');
END;

-- The latest ledger row for each user, program and number, kept by the trigger below in the
-- same transaction as the append. `lifeline doctor` proves it matches the ledger.
CREATE TABLE consent_current (
    user_id INTEGER NOT NULL REFERENCES users (id),
    program TEXT NOT NULL,
    number TEXT NOT NULL,
    ledger_id INTEGER NOT NULL REFERENCES consent_ledger (id),
    state TEXT NOT NULL,
    source TEXT NOT NULL,
    since INTEGER NOT NULL,
    PRIMARY KEY (user_id, program, number)
) STRICT, WITHOUT ROWID;

CREATE INDEX consent_current_by_number ON consent_current (number, program);

CREATE TRIGGER consent_ledger_keeps_current AFTER INSERT ON consent_ledger
BEGIN
    INSERT INTO consent_current (user_id, program, number, ledger_id, state, source, since)
    VALUES (NEW.user_id, NEW.program, NEW.number, NEW.id, NEW.state, NEW.source, NEW.recorded_at)
    ON CONFLICT (user_id, program, number) DO UPDATE SET
        ledger_id = excluded.ledger_id, state = excluded.state, source = excluded.source, since = excluded.since;
END;

-- Every message to send. The service builds bodies from fixed templates only: no free text.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    destination TEXT NOT NULL,
    body TEXT NOT NULL,
    -- What the message is (optin_confirmation, optout_reply, ...), for throttling and reports.
    kind TEXT NOT NULL,
    program TEXT NOT NULL CHECK (program IN ('continuity', 'service', 'verification')),
    event_id INTEGER,
    user_id INTEGER REFERENCES users (id),
    status TEXT NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'suppressed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    provider_id TEXT,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_user ON outbox (user_id, kind, created_at);

-- Every SMS received, with what it did.
CREATE TABLE inbound_messages (
    id INTEGER PRIMARY KEY,
    received_at INTEGER NOT NULL,
    from_number TEXT NOT NULL,
    -- The sender in long format, when the number could be read.
    number TEXT,
    text TEXT NOT NULL,
    action TEXT NOT NULL
) STRICT;

CREATE INDEX inbound_messages_by_number ON inbound_messages (number, received_at);
