-- The retention index also holds deleted_at (NULL in every entry), so that
-- it alone answers which profiles are overdue: SQLite reads an index as
-- covering only when it holds every column the query names, and the query
-- must name deleted_at to use this partial index. A sweep on 1,000,000
-- customers read 100,000 customer rows all over the file for this before.
DROP INDEX customers_retention;
CREATE INDEX customers_retention
    ON customers (coalesce(last_contact_at, created_at), deleted_at)
    WHERE deleted_at IS NULL;
