-- Version 4: search keys are grouped by where their profile sits in the
-- file. A retention sweep erases profiles in file order; with keys ordered
-- by text alone, each of a profile's keys sat on its own page, anywhere in
-- the tree, and every batch rewrote thousands of those pages (38% of what a
-- 1M-customer sweep wrote). With the shard first, a batch's keys share the
-- pages of one or two shards.
--
-- shard = ((customer rowid >> 14) & 63) - 64: blocks of 16,384
-- neighbouring customers, 64 shards, so a search reads at most 64 short
-- ranges and merges them in key order. The shard is stored, never
-- recomputed: a rowid that changes later (VACUUM) only costs locality.
--
-- Why -64..-1: SQLite stores these in one byte, 0xC0 to 0xFF, right before
-- the key text. Those bytes are never valid before the start of a key in
-- UTF-8, so no value the forensic scan looks for can run across the shard
-- into the key. Shards 0..63 were bytes such as '#' or '1': a live key
-- "48574171019" behind shard 35 reads "#48574171019" in the file, which
-- contains an erased order number "#4857417".
CREATE TABLE search_keys_v4 (
    shard       INTEGER NOT NULL,
    key         TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    kind        INTEGER NOT NULL,
    PRIMARY KEY (shard, key, customer_id, kind)
) WITHOUT ROWID;
INSERT INTO search_keys_v4 (shard, key, customer_id, kind)
SELECT ((c.rowid >> 14) & 63) - 64, k.key, k.customer_id, k.kind
FROM search_keys k JOIN customers c ON c.id = k.customer_id
ORDER BY 1, 2, 3, 4;
DROP TABLE search_keys;
ALTER TABLE search_keys_v4 RENAME TO search_keys;
CREATE INDEX search_keys_customer ON search_keys (customer_id);
