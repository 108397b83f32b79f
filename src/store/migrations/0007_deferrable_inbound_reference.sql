-- 0007: an article may name its inbound row before the row is written, when
-- a message is accepted and processed in one transaction and its inbound row
-- is written once, in its final state, after its article
-- (Tx::DeferInboundReferences; the reference is checked at COMMIT). SQLite
-- defers its foreign keys per transaction (PRAGMA defer_foreign_keys), and
-- then looks up the articles naming each inbound row written: it needs an
-- index on articles(inbound_id) for that (without it, every inbound INSERT
-- scanned the articles table: import 4,600 -> 1,300 messages/s).
{{deferrable_inbound_reference}}
