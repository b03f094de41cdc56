-- Version 6: each customer row lists its profile's search keys
-- (`search_keys`, a flat JSON array of shard, kind and key for each key:
-- `store::customers::key_list`), and the index of search keys by customer
-- is gone. Erasure reads the list from the row it rewrites anyway and
-- deletes each key by its primary key. The index held every key a second
-- time, in customer order; a retention sweep deleting a tenth of the
-- customers rewrote nearly all of its pages (56,000 of the 580,000 pages a
-- 1,000,000-customer sweep wrote) and a B-tree entry per key.
--
-- Keys are written only when a profile is inserted, with the list, in one
-- transaction; the list of an erased profile is set to NULL with its keys.
ALTER TABLE customers ADD COLUMN search_keys TEXT;
UPDATE customers SET search_keys = (
    SELECT '[' || group_concat(k.shard || ',' || k.kind || ',' || json_quote(k.key), ',') || ']'
    FROM search_keys k WHERE k.customer_id = customers.id)
WHERE id IN (SELECT customer_id FROM search_keys);
DROP INDEX search_keys_customer;

-- Also, a profile's attachments and recordings are listed by customer
-- (`customer_parts`, kind 0 an attachment, 1 a recording, written with
-- them), and its PII findings are indexed by customer. Erasure found
-- them through each of the profile's items, three lookups per item
-- (about a tenth of a retention sweep); now it reads three short ranges.
-- The rows hold IDs only and stay when the profile is erased, as the
-- attachment and recording rows do.
CREATE TABLE customer_parts (
    customer_id TEXT NOT NULL,
    kind        INTEGER NOT NULL,
    id          TEXT NOT NULL,
    PRIMARY KEY (customer_id, kind, id)
) WITHOUT ROWID;
INSERT INTO customer_parts (customer_id, kind, id)
SELECT i.customer_id, 0, a.id FROM attachments a JOIN items i ON i.id = a.item_id
UNION ALL
SELECT i.customer_id, 1, r.id FROM recordings r JOIN items i ON i.id = r.item_id
ORDER BY 1, 2, 3;
CREATE INDEX pii_findings_customer ON pii_findings (customer_id);
