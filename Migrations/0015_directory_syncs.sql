-- Each run of a scheduled or command-line directory sync (LDAP): when it ran, what it read,
-- what it did or why it failed. The console shows the latest; servers sharing a database
-- read it so that one sync an interval runs, not one per server.
CREATE TABLE directory_syncs (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL CHECK (source = 'scim' OR source = 'ldap' OR source = 'import'),
    actor TEXT NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    started_at INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    -- written, nothing_to_write, dry_run, refused (rejected entries), failed (never read or applied)
    outcome TEXT NOT NULL CHECK (outcome IN ('written', 'nothing_to_write', 'dry_run', 'refused', 'failed')),
    entries INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    disabled INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    detail TEXT
) STRICT;
CREATE INDEX directory_syncs_latest ON directory_syncs (source, started_at);
