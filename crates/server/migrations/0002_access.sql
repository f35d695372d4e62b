-- Protocol v2 "access": outlets gain an IANA time zone, a currency and a
-- staff PIN; people, credentials and pairing codes arrive.
--
-- Every secret is stored only as a hash: device and login tokens and
-- pairing codes as SHA-256 (they are 128+ random bits, so a fast hash is
-- enough), passwords as argon2id, the staff PIN as PBKDF2 (the kiosks check
-- it offline). Outlets made before v2 keep `utc_offset_minutes` and a NULL
-- `timezone` until an admin sets one.

ALTER TABLE outlets ADD COLUMN timezone TEXT;
ALTER TABLE outlets ADD COLUMN currency TEXT NOT NULL DEFAULT 'IDR';
ALTER TABLE outlets ADD COLUMN staff_pin TEXT;

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('kiosk', 'kitchen', 'manager', 'admin')),
    outlet_id     TEXT REFERENCES outlets (id),
    created_at    TEXT NOT NULL
);

-- Paired screens and scripted tokens (`device`), and people's logins
-- (`session`, with an expiry). A revoked row stays, so the device list can
-- show it and its token keeps failing.
CREATE TABLE credentials (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('device', 'session')),
    token_hash   TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('kiosk', 'kitchen', 'manager', 'admin')),
    outlet_id    TEXT REFERENCES outlets (id),
    user_id      TEXT REFERENCES users (id),
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    last_seen_at TEXT,
    revoked_at   TEXT
);

CREATE INDEX credentials_by_outlet ON credentials (outlet_id, kind);

-- Single use: `used_at` is set in the same statement that checks it.
CREATE TABLE pairing_codes (
    code_hash  TEXT PRIMARY KEY,
    outlet_id  TEXT NOT NULL REFERENCES outlets (id),
    role       TEXT NOT NULL CHECK (role IN ('kiosk', 'kitchen', 'manager')),
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
) WITHOUT ROWID;
