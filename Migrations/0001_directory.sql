-- The user directory: users, admin-defined attributes and their values, groups, memberships,
-- and the settings table. Times are INTEGER Unix epoch milliseconds, UTC.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    -- The primary email, stored with the case first seen and unique case-insensitively.
    email TEXT NOT NULL COLLATE NOCASE UNIQUE
        CHECK (length(email) BETWEEN 3 AND 320 AND instr(email, '@') > 1),
    display_name TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE attribute_definitions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(name)) > 0),
    description TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL CHECK (source IN ('manual', 'import', 'directory-sync')),
    created_at INTEGER NOT NULL
) STRICT;

-- One value per user and attribute; a cleared attribute has no row.
CREATE TABLE user_attributes (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    attribute_id INTEGER NOT NULL REFERENCES attribute_definitions (id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, attribute_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX user_attributes_by_attribute ON user_attributes (attribute_id, value);

CREATE TABLE groups (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(name)) > 0),
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE group_memberships (
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (group_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX group_memberships_by_user ON group_memberships (user_id, group_id);

-- Service settings (the SMS attribute, code lengths, ...): validated by the service layer.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
