-- 0004: mailbox accounts polled over IMAP or POP3 (docs/schema.md, docs/mailboxes.md).
-- The password is stored encrypted with the server key (util/secret_box):
-- 24-byte nonce followed by the secretbox ciphertext. `user` is reserved in
-- PostgreSQL, hence `username`.
CREATE TABLE mailboxes (
  id {{id}},
  name TEXT NOT NULL UNIQUE,
  channel_id BIGINT NOT NULL REFERENCES channels(id),
  protocol TEXT NOT NULL,
  host TEXT NOT NULL,
  port INTEGER NOT NULL DEFAULT 0,
  tls TEXT NOT NULL,
  username TEXT NOT NULL,
  password_encrypted {{blob}} NOT NULL,
  folder TEXT NOT NULL DEFAULT 'INBOX',
  poll_interval_seconds INTEGER NOT NULL DEFAULT 60,
  after_import TEXT NOT NULL,
  move_to TEXT NOT NULL DEFAULT '',
  enabled INTEGER NOT NULL DEFAULT 1,
  uid_validity BIGINT NOT NULL DEFAULT 0,
  last_uid BIGINT NOT NULL DEFAULT 0,
  last_success_at BIGINT,
  last_error TEXT NOT NULL DEFAULT '',
  last_error_at BIGINT,
  imported_count BIGINT NOT NULL DEFAULT 0,
  backlog BIGINT NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  next_poll_at BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX mailboxes_due ON mailboxes(enabled, next_poll_at);

-- POP3 has no UIDs that grow: the UIDLs already accepted are remembered per
-- mailbox (and forgotten once the server no longer lists them).
CREATE TABLE mailbox_uidls (
  mailbox_id BIGINT NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  uidl TEXT NOT NULL,
  seen_at BIGINT NOT NULL,
  PRIMARY KEY (mailbox_id, uidl)
);

-- The channel of the mailbox a message was polled from: used by processing
-- when no receiving address (Delivered-To, X-Original-To, To, Cc) is a channel.
ALTER TABLE inbound ADD COLUMN default_channel_id BIGINT;
