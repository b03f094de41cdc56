-- Version 3: recording a finding no longer builds a temporary table.
-- SQLite evaluates a CHECK of the form `x IN (a, b, c)` (three values or
-- more) by filling a throwaway B-tree with the list, on every INSERT:
-- about half the cost of each finding the scan records. The status check
-- is now written as comparisons, which SQLite evaluates in place. The
-- table is rebuilt because SQLite cannot change a CHECK in place; its
-- rows, IDs and indexes are kept as they were.
CREATE TABLE pii_findings_v3 (
    id          INTEGER PRIMARY KEY,
    item_id     TEXT NOT NULL REFERENCES items (id),
    customer_id TEXT NOT NULL,
    -- Two values: SQLite compares them in place.
    field       TEXT NOT NULL CHECK (field IN ('body', 'subject')),
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    confidence  REAL NOT NULL,
    preview     TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open'
        CHECK (status = 'open' OR status = 'dismissed' OR status = 'resolved'),
    -- keyed hash of the value, so a dismissed false positive never returns
    fingerprint TEXT,
    found_at    INTEGER NOT NULL,
    resolved_at INTEGER,
    -- the item's timestamp (version 2)
    item_at     INTEGER
);
INSERT INTO pii_findings_v3 (id, item_id, customer_id, field, start, end, kind, confidence,
    preview, status, fingerprint, found_at, resolved_at, item_at)
SELECT id, item_id, customer_id, field, start, end, kind, confidence,
    preview, status, fingerprint, found_at, resolved_at, item_at
FROM pii_findings;
DROP TABLE pii_findings;
ALTER TABLE pii_findings_v3 RENAME TO pii_findings;
CREATE INDEX pii_findings_queue ON pii_findings (status, item_at, id, kind, confidence);
CREATE INDEX pii_findings_item ON pii_findings (item_id);
