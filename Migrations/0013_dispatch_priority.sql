-- Dispatch by priority, with validity, through several providers.
--
-- The outbox is rebuilt (SQLite cannot alter a CHECK) to add:
--   * the status `expired`: a start alert whose event ended before it went out, a code message
--     whose code expired, anything older than the dispatcher's ceiling. It is never sent.
--   * expires_at: when the message stops being worth sending (a code's expiry); NULL for none.
--   * maybe_sent: attempts whose outcome is unknown (a timeout after the request went out).
--     The message is sent again, so a duplicate is possible exactly this many times.
--   * provider: the provider that accepted it, so a receipt's provider can be checked.
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
               OR status = 'failed' OR status = 'suppressed' OR status = 'expired'),
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
    sealed_body BLOB,
    expires_at INTEGER,
    maybe_sent INTEGER NOT NULL DEFAULT 0 CHECK (maybe_sent >= 0),
    provider TEXT
) STRICT;

-- The sequence survives the rebuild: ids are never given twice (0008_never_reused_ids.sql).
CREATE TEMP TABLE outbox_sequence AS SELECT seq FROM sqlite_sequence WHERE name = 'outbox';

INSERT INTO outbox_rebuilt
    (id, channel, destination, body, kind, program, event_id, user_id, status, attempts, next_attempt_at,
     claim_token, provider_id, last_error, created_at, updated_at, sealed_body)
SELECT id, channel, destination, body, kind, program, event_id, user_id, status, attempts, next_attempt_at,
       claim_token, provider_id, last_error, created_at, updated_at, sealed_body
FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;

INSERT INTO sqlite_sequence (name, seq)
SELECT 'outbox', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'outbox');
UPDATE sqlite_sequence
SET seq = max(seq, coalesce((SELECT seq FROM temp.outbox_sequence), 0), coalesce((SELECT max(id) FROM outbox), 0))
WHERE name = 'outbox';
DROP TABLE temp.outbox_sequence;

CREATE INDEX outbox_by_user ON outbox (user_id, kind, created_at);
-- No recipient gets one event's start (or end) alert twice, whatever races or reruns happen.
CREATE UNIQUE INDEX outbox_event_once ON outbox (event_id, user_id, kind) WHERE event_id IS NOT NULL;
-- Dispatch claims in two passes, each from its own small partial index: first what a person
-- is waiting for (codes, replies), then the bulk alerts, the oldest event's first. A code
-- requested behind half a million alerts goes out in the next batch.
CREATE INDEX outbox_queued_urgent ON outbox (next_attempt_at, id) WHERE status = 'queued' AND program <> 'continuity';
CREATE INDEX outbox_queued_alerts ON outbox (event_id, next_attempt_at, id) WHERE status = 'queued' AND program = 'continuity';
CREATE INDEX outbox_sending ON outbox (next_attempt_at, id) WHERE status = 'sending';
-- An event's alerts not yet finished: ending an event expires its queued start alerts, and its
-- end alert waits while any start alert is still out with a provider.
CREATE INDEX outbox_unfinished ON outbox (event_id, kind)
    WHERE event_id IS NOT NULL AND (status = 'queued' OR status = 'sending');
-- Delivery receipts name the provider's id.
CREATE INDEX outbox_by_provider_id ON outbox (provider_id) WHERE provider_id IS NOT NULL;
-- The purge finds old verification messages by program and time.
CREATE INDEX outbox_by_program ON outbox (program, updated_at) WHERE program = 'verification';
