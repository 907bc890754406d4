-- Sign-in sessions of the portal's and the console's pages. The browser holds an opaque random
-- token in a cookie; only its SHA-256 is stored, so a copy of the database opens no session.
-- A session waiting for its SMS code ('second_factor') names the sign-in request it waits on.
CREATE TABLE web_sessions (
    token_sha256 TEXT PRIMARY KEY,
    area TEXT NOT NULL CHECK (area = 'portal' OR area = 'console'),
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stage TEXT NOT NULL CHECK (stage = 'second_factor' OR stage = 'signed_in'),
    login_request_id TEXT,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX web_sessions_by_user ON web_sessions (user_id);
CREATE INDEX web_sessions_by_last_seen ON web_sessions (last_seen_at);

-- Proof-of-work challenges already answered: each is good once, so a solved challenge cannot be
-- replayed. A row is kept until its challenge expires, then purged.
CREATE TABLE captcha_answers (
    challenge_id TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX captcha_answers_by_expiry ON captcha_answers (expires_at);
