-- Emails and names are "the same ignoring case" by one rule everywhere: A-Z fold to a-z and
-- nothing else does. SQLite's NOCASE works so, and so does NameKey, the rule Swift applies
-- (an import's duplicates in its file, a request id's owner). 0001's ICU collation also folded
-- non-ASCII letters, so PostgreSQL held ZOË@example.com and zoë@example.com as one user where
-- SQLite holds two, and an import that SQLite accepts was refused here.
--
-- Now the columns compare exactly (collation "C") and each uniqueness is an index on
-- lower(x COLLATE "C"), which folds A-Z only. The store compares and orders by that same
-- expression (SQLDialect.caseless), which these indexes serve; "C" orders by code point, as
-- NOCASE does after folding, so listings come out in the same order on both engines.

ALTER TABLE users DROP CONSTRAINT users_email_key;
ALTER TABLE users ALTER COLUMN email TYPE TEXT COLLATE "C";
CREATE UNIQUE INDEX users_email_caseless ON users (lower(email COLLATE "C"));

ALTER TABLE attribute_definitions DROP CONSTRAINT attribute_definitions_name_key;
ALTER TABLE attribute_definitions ALTER COLUMN name TYPE TEXT COLLATE "C";
CREATE UNIQUE INDEX attribute_definitions_name_caseless ON attribute_definitions (lower(name COLLATE "C"));

ALTER TABLE groups DROP CONSTRAINT groups_name_key;
ALTER TABLE groups ALTER COLUMN name TYPE TEXT COLLATE "C";
CREATE UNIQUE INDEX groups_name_caseless ON groups (lower(name COLLATE "C"));

ALTER TABLE auth_profiles DROP CONSTRAINT auth_profiles_name_key;
ALTER TABLE auth_profiles ALTER COLUMN name TYPE TEXT COLLATE "C";
CREATE UNIQUE INDEX auth_profiles_name_caseless ON auth_profiles (lower(name COLLATE "C"));

DROP INDEX api_keys_live_name;
ALTER TABLE api_keys ALTER COLUMN name TYPE TEXT COLLATE "C";
CREATE UNIQUE INDEX api_keys_live_name ON api_keys (lower(name COLLATE "C")) WHERE revoked_at IS NULL;

-- A reset's later requests are found by email as the user typed it: the same fold.
DROP INDEX verification_resets_by_email;
CREATE INDEX verification_resets_by_email ON verification_requests (lower(email COLLATE "C"), id) WHERE origin = 'reset';

DROP COLLATION lifeline_nocase;
