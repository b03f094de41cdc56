-- Version 2: the triage queue reads open findings newest first from one
-- index. Version 1 joined every open finding to its item and sorted them
-- all by the item's time on each keystroke, most of a second with tens of
-- thousands of findings.
--
-- item_at is the item's timestamp, copied when the finding is recorded (an
-- item's time never changes). The index also carries kind and confidence,
-- so the queue's filters and its count never read the table.
ALTER TABLE pii_findings ADD COLUMN item_at INTEGER;
UPDATE pii_findings
SET item_at = (SELECT timestamp FROM items WHERE items.id = pii_findings.item_id);
DROP INDEX pii_findings_open;
CREATE INDEX pii_findings_queue ON pii_findings (status, item_at, id, kind, confidence);
