-- API keys for the HTTP service's clients (the organisation's portal backend, operators' and
-- admins' tools). Only a key's SHA-256 is kept; the key itself is shown once, at creation.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE CHECK (length(trim(name)) BETWEEN 1 AND 100),
    role TEXT NOT NULL CHECK (role = 'portal' OR role = 'operator' OR role = 'admin'),
    -- The key's first characters (llk_ and 6 more), to tell keys apart in lists; useless alone.
    prefix TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;

-- One live key per name; a revoked key's name can be given to a new one.
CREATE UNIQUE INDEX api_keys_live_name ON api_keys (name) WHERE revoked_at IS NULL;
