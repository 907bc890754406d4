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

-- No recipient gets one event's start (or end) alert twice, whatever races or reruns happen.
CREATE UNIQUE INDEX outbox_event_once ON outbox (event_id, user_id, kind) WHERE event_id IS NOT NULL;
CREATE INDEX outbox_by_event ON outbox (event_id, status) WHERE event_id IS NOT NULL;
-- Delivery receipts name the provider's id.
CREATE INDEX outbox_by_provider_id ON outbox (provider_id) WHERE provider_id IS NOT NULL;
