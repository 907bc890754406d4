-- Authentication profiles: how a user may reset their password and whether they log in with
-- a second factor. A user gets the profile assigned to their highest-priority group, else
-- `default`.
CREATE TABLE auth_profiles (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    reset_options TEXT NOT NULL
        CHECK (reset_options = 'not_allowed' OR reset_options = 'email' OR reset_options = 'sms'
               OR reset_options = 'email_or_sms'),
    two_step TEXT NOT NULL CHECK (two_step = 'off' OR two_step = 'sms'),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

INSERT INTO auth_profiles (name, reset_options, two_step, created_at, updated_at)
VALUES ('default', 'email_or_sms', 'off', 0, 0);

-- One profile per group; priorities are unique so "the highest" is never a tie.
CREATE TABLE profile_assignments (
    group_id INTEGER PRIMARY KEY REFERENCES groups (id) ON DELETE CASCADE,
    profile_id INTEGER NOT NULL REFERENCES auth_profiles (id),
    priority INTEGER NOT NULL UNIQUE,
    assigned_at INTEGER NOT NULL
) STRICT;

CREATE INDEX profile_assignments_by_profile ON profile_assignments (profile_id);
