-- 0006: PostgreSQL compresses the blobs table's bytes with lz4 instead of
-- pglz (several times faster at a similar ratio on mail; pglz was a sixth of
-- the server's CPU during an import). Rows written before keep pglz. A server
-- built without lz4 keeps pglz. Nothing on SQLite.
{{blob_compression}}
