-- 0003: outbound mail, working hours and triggers (docs/schema.md).
-- SQLite's ALTER TABLE ... ADD COLUMN needs a non-NULL default for NOT NULL
-- columns and a NULL default for columns with REFERENCES, so the new foreign
-- keys are nullable and every NOT NULL column carries a default.

-- Agents sign their replies.
ALTER TABLE users ADD COLUMN position TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN signature TEXT NOT NULL DEFAULT '';

-- A channel's business calendar and its promises (in business minutes, 0 = none).
ALTER TABLE channels ADD COLUMN kind TEXT NOT NULL DEFAULT 'email';
ALTER TABLE channels ADD COLUMN hours TEXT NOT NULL DEFAULT '24/7';
ALTER TABLE channels ADD COLUMN first_response_minutes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN resolution_minutes BIGINT NOT NULL DEFAULT 0;

ALTER TABLE tickets ADD COLUMN assignee_id BIGINT REFERENCES users(id);
ALTER TABLE tickets ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN first_response_due BIGINT;
ALTER TABLE tickets ADD COLUMN resolution_due BIGINT;
ALTER TABLE tickets ADD COLUMN first_responded_at BIGINT;
-- SLA queues: open tickets by the due time they are about to miss.
CREATE INDEX tickets_status_first_response ON tickets(status, first_response_due);
CREATE INDEX tickets_status_resolution ON tickets(status, resolution_due);
CREATE INDEX tickets_assignee ON tickets(assignee_id);

ALTER TABLE articles ADD COLUMN author_user_id BIGINT REFERENCES users(id);
ALTER TABLE articles ADD COLUMN auto_reply INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN delivery_status TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN delivery_error TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN duration_seconds BIGINT NOT NULL DEFAULT 0;

CREATE TABLE ticket_tags (
  ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag ON ticket_tags(tag);

-- The outbox: one row per composed message, inserted in the same transaction
-- as its article; the raw bytes (signed) are the blob raw_sha256, so a resend
-- carries the same Message-ID and bytes.
CREATE TABLE outbound (
  id {{id}},
  article_id BIGINT NOT NULL REFERENCES articles(id),
  ticket_id BIGINT NOT NULL REFERENCES tickets(id),
  envelope_from TEXT NOT NULL DEFAULT '',
  recipients TEXT NOT NULL DEFAULT '',
  first_recipient TEXT NOT NULL DEFAULT '',
  raw_sha256 TEXT NOT NULL,
  message_id TEXT NOT NULL DEFAULT '',
  automatic INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'queued',
  attempts INTEGER NOT NULL DEFAULT 0,
  smtp_code INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  sent_at BIGINT
);
CREATE INDEX outbound_message_id ON outbound(message_id);
-- The per-sender acknowledgement rate limit (CountAutomaticOutbound).
CREATE INDEX outbound_rate ON outbound(first_recipient, automatic, created_at);
CREATE INDEX outbound_article ON outbound(article_id);
CREATE INDEX outbound_state ON outbound(state, id);

-- Triggers, stored as their JSON definition; event and position are copied
-- out of it for ordering.
CREATE TABLE rules (
  id {{id}},
  name TEXT NOT NULL UNIQUE,
  event TEXT NOT NULL,
  position INTEGER NOT NULL DEFAULT 0,
  enabled INTEGER NOT NULL DEFAULT 1,
  definition TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX rules_event ON rules(event, position, id);

-- Mustache templates, one per name and language.
CREATE TABLE templates (
  id {{id}},
  name TEXT NOT NULL,
  language TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  UNIQUE (name, language)
);
