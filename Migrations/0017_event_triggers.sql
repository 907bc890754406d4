-- Monitoring starts events: an Alertmanager notification or any monitor's call drafts an event
-- from a matching template, once per alert group, and every step on the way is audited.
--
-- api_keys is rebuilt (SQLite cannot alter a CHECK) to admit the role `trigger`: a key a
-- monitor holds, which reaches the trigger routes and nothing else.
CREATE TABLE api_keys_rebuilt (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE CHECK (length(trim(name)) BETWEEN 1 AND 100),
    role TEXT NOT NULL
        CHECK (role = 'portal' OR role = 'operator' OR role = 'admin' OR role = 'provisioning' OR role = 'trigger'),
    prefix TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;
INSERT INTO api_keys_rebuilt (id, name, role, prefix, sha256, created_at, revoked_at)
SELECT id, name, role, prefix, sha256, created_at, revoked_at FROM api_keys;
DROP TABLE api_keys;
ALTER TABLE api_keys_rebuilt RENAME TO api_keys;
CREATE UNIQUE INDEX api_keys_live_name ON api_keys (name) WHERE revoked_at IS NULL;

-- One alert group (Alertmanager's groupKey, or a generic caller's dedup_key) that drafted an
-- event from a template. While that event is a draft or active, the same key drafts nothing
-- new: it counts as a repeat here. The template may be deleted later; the record stays.
CREATE TABLE event_triggers (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES continuity_events (id),
    template_id INTEGER REFERENCES event_templates (id) ON DELETE SET NULL,
    source TEXT NOT NULL CHECK (source = 'alertmanager' OR source = 'generic'),
    dedup_key TEXT NOT NULL CHECK (length(dedup_key) BETWEEN 1 AND 1000),
    -- Notifications received for it, the first included.
    received INTEGER NOT NULL DEFAULT 1 CHECK (received >= 1),
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    -- When the monitor said the problem was over: the console then offers the end.
    resolved_at INTEGER
) STRICT;
CREATE INDEX event_triggers_by_key ON event_triggers (dedup_key, template_id);
CREATE INDEX event_triggers_by_event ON event_triggers (event_id);

-- What happened to an event and who did it: triggers, repeats, resolutions, starts, ends,
-- cancellations. Shown on the event's page; never changed once written.
CREATE TABLE event_audit (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES continuity_events (id),
    at INTEGER NOT NULL,
    actor TEXT NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 40),
    detail TEXT CHECK (detail IS NULL OR length(detail) <= 1000)
) STRICT;
CREATE INDEX event_audit_by_event ON event_audit (event_id, id);
