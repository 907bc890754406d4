-- Passwords and 2-step sign-in state, one row per user who has set a password or signed in
-- with a second factor. Kept apart from `users` so that directory imports never touch it.
CREATE TABLE user_credentials (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- `pbkdf2-sha256$<iterations>$<salt>$<hash>`: the parameters travel with the hash, so the
    -- iteration count can be raised and old hashes re-hashed at the next login.
    password_hash TEXT CHECK (password_hash IS NULL OR password_hash LIKE 'pbkdf2-sha256$%'),
    password_changed_at INTEGER,
    -- The SMS number the user last completed 2-step sign-in with. When the directory gives the
    -- user another number, that number must be verified before it is trusted.
    two_step_number TEXT,
    two_step_verified_at INTEGER,
    last_login_at INTEGER
) STRICT;

-- How the code (or notice) reached the user.
ALTER TABLE verification_requests ADD COLUMN channel TEXT NOT NULL DEFAULT 'sms'
    CHECK (channel = 'sms' OR channel = 'email');
-- Which flow made the request: a bare `codes request`, a password reset, or a login whose
-- password was checked. A reset completes only from a reset request, a login only from a
-- login request: a code asked for elsewhere opens neither.
ALTER TABLE verification_requests ADD COLUMN origin TEXT NOT NULL DEFAULT 'codes'
    CHECK (origin = 'codes' OR origin = 'reset' OR origin = 'login');
-- When the reset this request approved was completed: it completes once.
ALTER TABLE verification_requests ADD COLUMN completed_at INTEGER;

-- The per-number limit now counts every message a request sent (a code, or the notice that
-- tells a user without reset rights to call their administrator), not only codes.
DROP INDEX verification_by_number;
CREATE INDEX verification_by_number ON verification_requests (number, created_at) WHERE outbox_id IS NOT NULL;

-- A reset request is live only while it is the email's latest: verifying an older one answers
-- `superseded` whether or not either sent a code, so the answers never tell real emails apart.
CREATE INDEX verification_resets_by_email ON verification_requests (lower(email), id) WHERE origin = 'reset';
