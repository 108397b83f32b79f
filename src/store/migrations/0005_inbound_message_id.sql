-- 0005: queued inbound rows by Message-ID (docs/schema.md): processing defers
-- a reply whose own request was accepted after it and is still queued.
CREATE INDEX inbound_message_id ON inbound(message_id);
