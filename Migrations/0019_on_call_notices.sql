-- On-call notices: when monitoring drafts an event, every console account that opted in is
-- texted a one-time link to that draft's confirm page, and again every 30 minutes until
-- someone starts, dismisses, cancels or ends it (or, if its template says so, it starts itself).
ALTER TABLE console_roles ADD COLUMN on_call INTEGER NOT NULL DEFAULT 0 CHECK (on_call = 0 OR on_call = 1);

-- One drafted event's notices: when the next round is due, how many went, and when it closed.
CREATE TABLE event_notices (
    event_id INTEGER PRIMARY KEY REFERENCES continuity_events (id),
    first_at INTEGER NOT NULL,
    next_at INTEGER NOT NULL,
    rounds INTEGER NOT NULL DEFAULT 0 CHECK (rounds >= 0),
    -- When the event starts by itself if nobody has acted (the template's auto_start_after).
    auto_start_at INTEGER,
    closed_at INTEGER,
    closed_reason TEXT CHECK (closed_reason IS NULL OR length(closed_reason) BETWEEN 1 AND 40)
) STRICT;
CREATE INDEX event_notices_open ON event_notices (next_at) WHERE closed_at IS NULL;

-- One link texted to one on-call account. The text carries the row's id and an HMAC over it
-- (nothing secret is stored); following it once, signed in, uses it up.
CREATE TABLE notice_links (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES continuity_events (id),
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    used_by TEXT CHECK (used_by IS NULL OR length(used_by) BETWEEN 1 AND 200)
) STRICT;
CREATE INDEX notice_links_by_event ON notice_links (event_id);
