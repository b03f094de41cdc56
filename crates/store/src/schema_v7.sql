-- Version 7: the erasure ledger and the backup catalogue.
--
-- Every erasure of a profile, item, attachment or recording adds a row to
-- the ledger in the erasure's own transaction: IDs and times only, chained
-- by SHA-256 from a genesis that names this database (`database_id`). A
-- restore from a backup re-applies the rows the backup does not hold.
CREATE TABLE erasure_ledger (
    seq         INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    -- profile | item | attachment | recording
    kind        TEXT NOT NULL,
    id          TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    -- manual | retention
    reason      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);

-- The backups `lethe backup create` wrote: where, when, how large, whether
-- encrypted, and the ledger row the copy ends at. `pruned_at` is set when
-- `lethe backup prune` deletes the file.
CREATE TABLE backups (
    file        TEXT PRIMARY KEY,
    taken_at    INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    encrypted   INTEGER NOT NULL,
    ledger_seq  INTEGER NOT NULL,
    pruned_at   INTEGER
);

-- Names this database and every copy of it; a ledger from another
-- database does not chain from the same genesis.
INSERT OR IGNORE INTO settings (key, value) VALUES ('database_id', lower(hex(randomblob(16))));

-- API tokens for `lethe serve`: the operator a token acts as, a label,
-- when it expires or was revoked, and the SHA-256 of its secret (the
-- secret itself is printed once and never stored).
CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    operator    TEXT NOT NULL,
    label       TEXT,
    secret_hash TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    expires_at  INTEGER,
    revoked_at  INTEGER
);
