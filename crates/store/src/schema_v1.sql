-- Lethe schema, version 1.
-- Times are INTEGER milliseconds since the Unix epoch, UTC.
-- Rows of deleted profiles and items are kept with their PII columns set to
-- NULL and `deleted_at` set; child tables that hold only PII lose their rows.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE customers (
    id                   TEXT PRIMARY KEY,
    name                 TEXT,
    external_customer_id TEXT,
    -- JSON object of other systems' IDs, e.g. {"salesforce":"0035e00000AbCdE"}
    external_ids         TEXT,
    -- JSON object of custom attributes
    custom_attributes    TEXT,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    -- Newest team-handled Contact; NULL when there is none. Maintained by the
    -- store whenever items are written.
    last_contact_at      INTEGER,
    deleted_at           INTEGER,
    deletion_reason      TEXT CHECK (deletion_reason IN ('manual', 'retention'))
);
-- The retention clock: last Contact, else creation.
CREATE INDEX customers_retention ON customers (coalesce(last_contact_at, created_at))
    WHERE deleted_at IS NULL;

CREATE TABLE customer_emails (
    customer_id TEXT NOT NULL REFERENCES customers (id),
    position    INTEGER NOT NULL,
    original    TEXT NOT NULL,
    normalized  TEXT NOT NULL,
    is_primary  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (customer_id, position)
) WITHOUT ROWID;

CREATE TABLE customer_phones (
    customer_id TEXT NOT NULL REFERENCES customers (id),
    position    INTEGER NOT NULL,
    original    TEXT NOT NULL,
    normalized  TEXT NOT NULL,
    type        TEXT,
    is_primary  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (customer_id, position)
) WITHOUT ROWID;

CREATE TABLE customer_addresses (
    customer_id TEXT NOT NULL REFERENCES customers (id),
    position    INTEGER NOT NULL,
    type        TEXT,
    line1       TEXT,
    line2       TEXT,
    city        TEXT,
    region      TEXT,
    postal_code TEXT,
    country     TEXT,
    PRIMARY KEY (customer_id, position)
) WITHOUT ROWID;

-- Normalised search keys: folded (lowercase, no accents) names and name
-- tokens, emails and external IDs, and phone E.164 digits. Prefix queries are
-- B-tree range scans; customer IDs are searched on customers.id itself.
-- kind: 1 name, 2 name token, 3 email, 4 phone, 5 external id. Every key is a
-- page write when its profile is erased, so keep them few.
CREATE TABLE search_keys (
    key         TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    kind        INTEGER NOT NULL,
    PRIMARY KEY (key, customer_id, kind)
) WITHOUT ROWID;
CREATE INDEX search_keys_customer ON search_keys (customer_id);

CREATE TABLE conversations (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    status      TEXT NOT NULL CHECK (status IN ('OPEN', 'WAITING', 'CLOSED')),
    topic       TEXT,
    channel     TEXT,
    agent_id    TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    closed_at   INTEGER,
    deleted_at  INTEGER
);
CREATE INDEX conversations_customer ON conversations (customer_id, created_at);
CREATE INDEX conversations_open ON conversations (customer_id) WHERE status <> 'CLOSED';

CREATE TABLE items (
    id              TEXT PRIMARY KEY,
    customer_id     TEXT NOT NULL REFERENCES customers (id),
    conversation_id TEXT REFERENCES conversations (id),
    type            TEXT NOT NULL,
    timestamp       INTEGER NOT NULL,
    initiator_id    TEXT,
    initiator_type  TEXT,
    direction       TEXT,
    -- PII columns: wiped on deletion.
    subject         TEXT,
    body            TEXT,
    from_addr       TEXT,
    to_addrs        TEXT,
    -- JSON of the remaining type-specific fields (activity source, topic...).
    extra           TEXT,
    -- Non-PII.
    thread_id       TEXT,
    duration_s      INTEGER,
    -- The PII scan finds new items by rowid, above the watermark in
    -- settings (pii_scan_watermark). Whoever changes an item's content
    -- later bumps content_rev, which puts it in items_unscanned until the
    -- scan catches up; a new item starts level, so inserting costs no index
    -- entry and scanning costs no row rewrite.
    content_rev     INTEGER NOT NULL DEFAULT 1,
    scanned_rev     INTEGER NOT NULL DEFAULT 1,
    deleted_at      INTEGER
);
CREATE INDEX items_customer ON items (customer_id, timestamp, id);
CREATE INDEX items_conversation ON items (conversation_id, timestamp);
CREATE INDEX items_thread ON items (thread_id) WHERE thread_id IS NOT NULL;
CREATE INDEX items_unscanned ON items (id) WHERE scanned_rev < content_rev AND deleted_at IS NULL;

CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    item_id      TEXT NOT NULL REFERENCES items (id),
    filename     TEXT,
    content_type TEXT,
    file_size    INTEGER NOT NULL,
    content      BLOB,
    deleted_at   INTEGER
);
CREATE INDEX attachments_item ON attachments (item_id);

CREATE TABLE recordings (
    id           TEXT PRIMARY KEY,
    item_id      TEXT NOT NULL UNIQUE REFERENCES items (id),
    content_type TEXT,
    duration_s   INTEGER,
    file_size    INTEGER NOT NULL,
    content      BLOB,
    deleted_at   INTEGER
);

CREATE TABLE orders (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    source      TEXT,
    number      TEXT,
    placed_at   INTEGER NOT NULL,
    status      TEXT,
    total_cents INTEGER,
    currency    TEXT,
    -- JSON array of line items, shipping address, tracking...
    details     TEXT
);
CREATE INDEX orders_customer ON orders (customer_id);

-- Data that apps and integrations keep on a profile (loyalty tier, CSAT
-- history...). Removed whole with the profile.
CREATE TABLE app_data (
    customer_id TEXT NOT NULL REFERENCES customers (id),
    app         TEXT NOT NULL,
    payload     TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (customer_id, app)
) WITHOUT ROWID;

CREATE TABLE work_sessions (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    agent_id        TEXT NOT NULL,
    started_at      INTEGER NOT NULL,
    ended_at        INTEGER
);
CREATE INDEX work_sessions_conversation ON work_sessions (conversation_id);

CREATE TABLE operators (
    username   TEXT PRIMARY KEY,
    -- comma-separated: compliance_admin, admin, agent
    roles      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT
);

-- Append-only, hash-chained. Never holds PII.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    operator   TEXT NOT NULL,
    action     TEXT NOT NULL,
    targets    TEXT NOT NULL,
    counts     TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
-- Lethe never changes or removes an entry. These triggers stop a stray
-- statement; the hash chain catches anyone who drops them first.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

-- Findings keep offsets and a masked preview, never the raw value.
CREATE TABLE pii_findings (
    id          INTEGER PRIMARY KEY,
    item_id     TEXT NOT NULL REFERENCES items (id),
    customer_id TEXT NOT NULL,
    field       TEXT NOT NULL CHECK (field IN ('body', 'subject')),
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    confidence  REAL NOT NULL,
    preview     TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed', 'resolved')),
    -- keyed hash of the value, so a dismissed false positive never returns
    fingerprint TEXT,
    found_at    INTEGER NOT NULL,
    resolved_at INTEGER
);
CREATE INDEX pii_findings_open ON pii_findings (status, found_at);
CREATE INDEX pii_findings_item ON pii_findings (item_id);

CREATE TABLE retention_runs (
    id          INTEGER PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    operator    TEXT NOT NULL,
    days        INTEGER NOT NULL,
    cutoff      INTEGER NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('running', 'completed', 'cancelled', 'failed')),
    deleted     INTEGER NOT NULL DEFAULT 0,
    blocked     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE requests (
    id            INTEGER PRIMARY KEY,
    type          TEXT NOT NULL CHECK (type IN ('erasure', 'access')),
    regulation    TEXT NOT NULL CHECK (regulation IN ('gdpr', 'ccpa', 'other')),
    -- PII while open, wiped on completion: JSON {"emails":[],"phones":[],...}
    identifiers   TEXT,
    received_at   INTEGER NOT NULL,
    due_at        INTEGER NOT NULL,
    extended_at   INTEGER,
    extension_reason TEXT,
    status        TEXT NOT NULL CHECK (status IN ('new', 'in_progress', 'completed', 'rejected', 'blocked')),
    note          TEXT,
    customer_ids  TEXT,
    receipt       TEXT,
    completed_at  INTEGER
);
CREATE INDEX requests_due ON requests (status, due_at);
