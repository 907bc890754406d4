-- Ids that are never given twice.
--
-- The outbox's id is the message's idempotency key (lifeline-<id>). Without AUTOINCREMENT,
-- SQLite hands out max(id) + 1, so when the purge deleted the newest messages the next one
-- took a purged id: a provider that de-duplicates dropped the second code, and a late receipt
-- could land on the wrong message. The table is rebuilt (SQLite cannot add AUTOINCREMENT),
-- and the sequence starts past every id a message or a code request has used.
CREATE TABLE outbox_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL CHECK (channel = 'sms' OR channel = 'email'),
    destination TEXT NOT NULL,
    body TEXT NOT NULL,
    -- What the message is (optin_confirmation, event_start, ...), for throttling and reports.
    kind TEXT NOT NULL,
    program TEXT NOT NULL CHECK (program = 'continuity' OR program = 'service' OR program = 'verification'),
    event_id INTEGER REFERENCES continuity_events (id),
    user_id INTEGER REFERENCES users (id),
    status TEXT NOT NULL DEFAULT 'queued'
        CHECK (status = 'queued' OR status = 'sending' OR status = 'sent' OR status = 'delivered'
               OR status = 'failed' OR status = 'suppressed'),
    attempts INTEGER NOT NULL DEFAULT 0,
    -- When a queued message is due; while `sending`, when the dispatcher's lease on it ends.
    next_attempt_at INTEGER NOT NULL,
    -- The dispatch run that claimed it: a run whose lease ran out and was taken over cannot
    -- record outcomes for messages that are no longer its own.
    claim_token INTEGER,
    provider_id TEXT,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    -- An SMS that carries a code, sealed (AES-GCM); `body` then holds a placeholder.
    sealed_body BLOB
) STRICT;

INSERT INTO outbox_rebuilt
    (id, channel, destination, body, kind, program, event_id, user_id, status, attempts, next_attempt_at,
     claim_token, provider_id, last_error, created_at, updated_at, sealed_body)
SELECT id, channel, destination, body, kind, program, event_id, user_id, status, attempts, next_attempt_at,
       claim_token, provider_id, last_error, created_at, updated_at, sealed_body
FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;

-- Past every id the outbox still has and every one a code request remembers.
INSERT INTO sqlite_sequence (name, seq)
SELECT 'outbox', max(coalesce((SELECT max(id) FROM outbox), 0), coalesce((SELECT max(outbox_id) FROM verification_requests), 0))
WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'outbox');
UPDATE sqlite_sequence
SET seq = max(seq, coalesce((SELECT max(outbox_id) FROM verification_requests), 0))
WHERE name = 'outbox';

CREATE INDEX outbox_by_user ON outbox (user_id, kind, created_at);
-- No recipient gets one event's start (or end) alert twice, whatever races or reruns happen.
CREATE UNIQUE INDEX outbox_event_once ON outbox (event_id, user_id, kind) WHERE event_id IS NOT NULL;
-- Dispatch finds due messages through two small partial indexes (see 0003_events.sql).
CREATE INDEX outbox_queued ON outbox (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX outbox_sending ON outbox (next_attempt_at, id) WHERE status = 'sending';
-- Delivery receipts name the provider's id.
CREATE INDEX outbox_by_provider_id ON outbox (provider_id) WHERE provider_id IS NOT NULL;
-- The purge finds old verification messages by program and time.
CREATE INDEX outbox_by_program ON outbox (program, updated_at) WHERE program = 'verification';

-- The consent ledger's rows are never changed or deleted, and REPLACE INTO (which deletes the
-- old row without running a DELETE trigger) must not rewrite one either: an insert that names
-- an id already in the ledger is refused before any conflict resolution.
CREATE TRIGGER consent_ledger_ids_are_never_reused BEFORE INSERT ON consent_ledger
WHEN NEW.id IN (SELECT id FROM consent_ledger)
BEGIN
    SELECT RAISE(ABORT, 'consent_ledger rows are never replaced: append a new row instead');
END;
