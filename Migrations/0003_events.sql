-- Continuity events: an alert to a group at the start of an outage and another at its end.
CREATE TABLE continuity_events (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    group_id INTEGER NOT NULL REFERENCES groups (id),
    kind TEXT NOT NULL CHECK (kind IN ('planned', 'unplanned')),
    state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'active', 'ended', 'cancelled')),
    start_message TEXT NOT NULL CHECK (length(start_message) BETWEEN 1 AND 1600),
    end_message TEXT NOT NULL CHECK (length(end_message) BETWEEN 1 AND 1600),
    -- The planned times, as the operator gave them; the actual ones are started_at and ended_at.
    starts_at INTEGER,
    ends_at INTEGER,
    notes TEXT CHECK (notes IS NULL OR length(notes) <= 500),
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    ended_at INTEGER,
    cancelled_at INTEGER
) STRICT;

CREATE INDEX continuity_events_by_state ON continuity_events (state, id);

-- The outbox is rebuilt (SQLite cannot alter a constraint) for two reasons:
--  * its CHECKs were written `status IN (six values)`, which SQLite evaluates by building a
--    temporary b-tree each time a row's status changes; dispatch changes it twice per
--    message, and that was a third of its work. The same rules as OR chains cost nothing.
--  * event_id now references the event, and claim_token is new.
CREATE TABLE outbox_rebuilt (
    id INTEGER PRIMARY KEY,
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
    -- The dispatch run that claimed it (random per run): a run whose lease ran out and was
    -- taken over cannot record outcomes for messages that are no longer its own.
    claim_token INTEGER,
    provider_id TEXT,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

INSERT INTO outbox_rebuilt
    (id, channel, destination, body, kind, program, event_id, user_id, status, attempts, next_attempt_at,
     provider_id, last_error, created_at, updated_at)
SELECT id, channel, destination, body, kind, program, event_id, user_id, status, attempts, next_attempt_at,
       provider_id, last_error, created_at, updated_at
FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;

CREATE INDEX outbox_by_user ON outbox (user_id, kind, created_at);
-- No recipient gets one event's start (or end) alert twice, whatever races or reruns happen.
CREATE UNIQUE INDEX outbox_event_once ON outbox (event_id, user_id, kind) WHERE event_id IS NOT NULL;
-- Dispatch finds due messages through two small partial indexes instead of one on
-- (status, next_attempt_at): a message leaves the queued index when claimed and the
-- sending index when sent, and sent messages (nearly all of them) are in neither.
CREATE INDEX outbox_queued ON outbox (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX outbox_sending ON outbox (next_attempt_at, id) WHERE status = 'sending';
-- Delivery receipts name the provider's id.
CREATE INDEX outbox_by_provider_id ON outbox (provider_id) WHERE provider_id IS NOT NULL;
