-- The provider's own id of each received SMS, by provider ('twilio:SM…' for Twilio's MessageSid,
-- 'webhook:…' for the id the generic inbound webhook carries), and whether it was answered.
-- A second delivery of the same message (a provider's retry, or a captured request replayed)
-- finds its row and changes nothing: the ids live as long as the messages they came with.
ALTER TABLE inbound_messages ADD COLUMN provider_message_id TEXT;
ALTER TABLE inbound_messages ADD COLUMN replied INTEGER NOT NULL DEFAULT 0 CHECK (replied IN (0, 1));
CREATE UNIQUE INDEX inbound_messages_by_provider_id ON inbound_messages (provider_message_id)
    WHERE provider_message_id IS NOT NULL;
