-- Administration console accounts: directory users given a role. They sign in with their
-- directory password and, always, a code by SMS; revoking deletes the row.
CREATE TABLE console_roles (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role = 'operator' OR role = 'admin'),
    granted_at INTEGER NOT NULL,
    granted_by TEXT NOT NULL CHECK (length(granted_by) BETWEEN 1 AND 200)
) STRICT;
