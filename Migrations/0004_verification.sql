-- Verification requests for the password-reset and 2-step programs: one row per end-user
-- request, with at most one code, kept only as HMAC-SHA256 under a key outside the database.
CREATE TABLE verification_requests (
    id INTEGER PRIMARY KEY,
    -- The caller's idempotency key (or one Lifeline generated): a repeat returns this row.
    request_id TEXT NOT NULL UNIQUE CHECK (length(request_id) BETWEEN 1 AND 100),
    -- NULL when the email matched no user (the request is still recorded and answered).
    user_id INTEGER REFERENCES users (id),
    email TEXT NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose = 'password_reset' OR purpose = 'two_step'),
    -- sent: a code went out (live until it expires, is used, superseded or locked);
    -- approved: the code was used; superseded: a newer request replaced it;
    -- rate_limited: over a limit, nothing sent; rejected: no active user or no valid number.
    status TEXT NOT NULL
        CHECK (status = 'sent' OR status = 'approved' OR status = 'superseded' OR status = 'rate_limited'
               OR status = 'rejected'),
    -- Why a request was rejected or rate limited (for `codes status`; never shown to the user).
    reason TEXT,
    number TEXT,
    -- HMAC-SHA256(code key, request_id || 0x00 || code), and which key made it.
    code_hmac BLOB,
    key_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    used_at INTEGER,
    retry_after INTEGER,
    -- When the request stops mattering (expiry, use, supersession, or creation when no code
    -- was sent): the nightly purge deletes by it.
    closed_at INTEGER NOT NULL,
    -- The outbox message that carried the code (no foreign key: the purge deletes both sides).
    outbox_id INTEGER
) STRICT;

-- The live code of a user and purpose, and the per-user rate limit.
CREATE INDEX verification_by_user ON verification_requests (user_id, purpose, created_at);
-- The per-number rate limit counts codes sent.
CREATE INDEX verification_by_number ON verification_requests (number, created_at) WHERE code_hmac IS NOT NULL;
CREATE INDEX verification_by_closing ON verification_requests (closed_at);

-- An SMS that carries a code is stored only sealed (AES-GCM); `body` then holds a placeholder.
-- The dispatcher opens it to send and blanks it once the message is sent or failed.
ALTER TABLE outbox ADD COLUMN sealed_body BLOB;
-- The purge finds old verification messages by program and time.
CREATE INDEX outbox_by_program ON outbox (program, updated_at) WHERE program = 'verification';
