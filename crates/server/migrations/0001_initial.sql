-- Schema version 1, as the first release created it in one piece (and
-- stamped `PRAGMA user_version = 1`). Never edit this file: sqlx records its
-- checksum in every database it has been applied to, and a file written by
-- that release is adopted by recording this checksum (see `store::schema`).
--
-- Master rows keep a tombstone (`deleted = 1`) so a client syncing
-- `since_version=N` learns about deletions; `version` is unique per table
-- because every write takes the next global master version, and its index
-- serves the sync query. Orders keep the items they were priced with as
-- JSON: they are a snapshot, never re-read from the menu.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO meta (key, value) VALUES
    ('master_version', 0),
    ('next_id:products', 0),
    ('next_id:categories', 0),
    ('next_id:promotions', 0);

CREATE TABLE categories (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    translations TEXT NOT NULL,
    sort_order   INTEGER NOT NULL,
    version      INTEGER NOT NULL UNIQUE,
    updated_at   TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE products (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    translations TEXT NOT NULL,
    description  TEXT NOT NULL,
    category_id  TEXT NOT NULL REFERENCES categories (id),
    price        INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    image_url    TEXT,
    is_active    INTEGER NOT NULL,
    station      TEXT NOT NULL,
    version      INTEGER NOT NULL UNIQUE,
    updated_at   TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE promotions (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    translations TEXT NOT NULL,
    product_ids  TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('percent_off', 'amount_off')),
    value        INTEGER NOT NULL,
    starts_at    TEXT NOT NULL,
    ends_at      TEXT NOT NULL,
    version      INTEGER NOT NULL UNIQUE,
    updated_at   TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE outlets (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    utc_offset_minutes INTEGER NOT NULL,
    last_seq           INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE order_numbers (
    outlet_id    TEXT NOT NULL REFERENCES outlets (id),
    business_day TEXT NOT NULL,
    last_number  INTEGER NOT NULL,
    PRIMARY KEY (outlet_id, business_day)
) WITHOUT ROWID;

CREATE TABLE orders (
    id              INTEGER PRIMARY KEY,
    client_order_id TEXT NOT NULL UNIQUE,
    outlet_id       TEXT NOT NULL REFERENCES outlets (id),
    order_number    TEXT NOT NULL,
    business_day    TEXT NOT NULL,
    status          TEXT NOT NULL,
    items           TEXT NOT NULL,
    total_amount    INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    last_event      TEXT NOT NULL,
    placed_at       TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    closed_at       TEXT,
    UNIQUE (outlet_id, seq),
    UNIQUE (outlet_id, business_day, order_number)
);

CREATE INDEX orders_open ON orders (outlet_id, seq) WHERE closed_at IS NULL;
CREATE INDEX orders_closed ON orders (outlet_id, closed_at) WHERE closed_at IS NOT NULL;

CREATE TABLE status_requests (
    request_id TEXT PRIMARY KEY,
    order_id   INTEGER NOT NULL REFERENCES orders (id)
) WITHOUT ROWID;
