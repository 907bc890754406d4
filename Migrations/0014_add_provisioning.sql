-- Provisioning from an identity provider over SCIM 2.0 (and, later, other directory sources).
--
-- api_keys is rebuilt (SQLite cannot alter a CHECK) to admit the role `provisioning`: a key an
-- identity provider holds, which reaches the SCIM routes and nothing else.
CREATE TABLE api_keys_rebuilt (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE CHECK (length(trim(name)) BETWEEN 1 AND 100),
    role TEXT NOT NULL CHECK (role = 'portal' OR role = 'operator' OR role = 'admin' OR role = 'provisioning'),
    -- The key's first characters (llk_ and 6 more), to tell keys apart in lists; useless alone.
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

-- How the identity provider knows a user. A user with no row here (imported from a file) is
-- known by their email, so a provider that looks users up before creating them adopts the
-- directory it finds. A provider's DELETE keeps the row, marked deleted: the user is disabled
-- and hidden from SCIM, and never falls back to being known by their email.
CREATE TABLE scim_users (
    user_id INTEGER PRIMARY KEY REFERENCES users (id),
    -- As the provider sends it (a UPN, a UUID, an email); unique ignoring case among live rows.
    user_name TEXT NOT NULL COLLATE NOCASE CHECK (length(user_name) BETWEEN 1 AND 320),
    external_id TEXT,
    -- The primary flag the provider gave the user's email (NULL: never said, shown as true),
    -- so the email reads back as it was sent.
    email_primary INTEGER CHECK (email_primary IN (0, 1)),
    deleted_at INTEGER,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX scim_users_user_name ON scim_users (user_name) WHERE deleted_at IS NULL;
CREATE INDEX scim_users_external_id ON scim_users (external_id) WHERE external_id IS NOT NULL;

-- How the identity provider knows a group. Groups are never deleted by a provider (an event
-- may name one): its DELETE empties the group and hides it from SCIM.
CREATE TABLE scim_groups (
    group_id INTEGER PRIMARY KEY REFERENCES groups (id) ON DELETE CASCADE,
    external_id TEXT,
    deleted_at INTEGER,
    updated_at INTEGER NOT NULL
) STRICT;

-- Every change a directory source made: which source, who (an API key's name), when, to whom
-- and what. The group is named, not referenced, so the record outlives it.
CREATE TABLE directory_changes (
    id INTEGER PRIMARY KEY,
    changed_at INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source = 'scim' OR source = 'ldap' OR source = 'import'),
    actor TEXT NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    user_id INTEGER REFERENCES users (id),
    group_name TEXT,
    summary TEXT NOT NULL
) STRICT;
CREATE INDEX directory_changes_by_time ON directory_changes (changed_at);
CREATE INDEX directory_changes_by_user ON directory_changes (user_id, changed_at) WHERE user_id IS NOT NULL;
