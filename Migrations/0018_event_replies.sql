-- Replies with tallies: an event may ask its recipients a question with numbered answers
-- ("Reply 1 if you can work, 2 if you need help"); numbered replies are kept and counted, and
-- those who have not answered can be asked again.

-- The event's question, copied from its template when drafted: a template changed later
-- does not change what a running event asked.
CREATE TABLE event_questions (
    event_id INTEGER PRIMARY KEY REFERENCES continuity_events (id),
    question TEXT NOT NULL CHECK (length(question) BETWEEN 1 AND 300)
) STRICT;

CREATE TABLE event_answers (
    event_id INTEGER NOT NULL REFERENCES event_questions (event_id),
    number INTEGER NOT NULL CHECK (number BETWEEN 1 AND 9),
    answer TEXT NOT NULL CHECK (length(answer) BETWEEN 1 AND 60),
    PRIMARY KEY (event_id, number)
) STRICT, WITHOUT ROWID;

-- Every answer, with its time: evidence of who said what, kept even when a later one counts.
CREATE TABLE event_replies (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES continuity_events (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    answer INTEGER NOT NULL CHECK (answer BETWEEN 1 AND 9),
    received_at INTEGER NOT NULL,
    inbound_id INTEGER REFERENCES inbound_messages (id)
) STRICT;
CREATE INDEX event_replies_by_event ON event_replies (event_id, id);

-- The answer that counts, one per recipient: the last. Kept beside the replies so a tally of a
-- 100,000-recipient event is a count over this table's rows, not a search for each one's last.
CREATE TABLE event_reply_current (
    event_id INTEGER NOT NULL REFERENCES continuity_events (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    answer INTEGER NOT NULL CHECK (answer BETWEEN 1 AND 9),
    received_at INTEGER NOT NULL,
    reply_id INTEGER NOT NULL REFERENCES event_replies (id),
    PRIMARY KEY (event_id, user_id)
) STRICT, WITHOUT ROWID;

-- Reminders to those who have not answered, each under the client's Idempotency-Key: a
-- second request with the same key (a double click, a retry) queues nothing.
CREATE TABLE event_reminders (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES continuity_events (id),
    idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    actor TEXT NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    queued INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (event_id, idempotency_key)
) STRICT;
