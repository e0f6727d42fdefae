-- 0001: units, people, invites, items and their units, letters, serials, audit, persistence.
-- Times are ISO-8601 strings with the office's UTC offset; dates are YYYY-MM-DD.

CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    short_name  TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL CHECK (kind IN ('部门', '下级党委政府')),
    parent_id   INTEGER REFERENCES units(id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- One row per registration; a hand-over deactivates the old row and keeps it.
CREATE TABLE people (
    id              INTEGER PRIMARY KEY,
    tg_user_id      INTEGER NOT NULL,
    chat_id         INTEGER NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('supervisor', 'leader', 'liaison')),
    unit_id         INTEGER REFERENCES units(id),
    liaison_kind    TEXT CHECK (liaison_kind IN ('primary', 'deputy')),
    name            TEXT NOT NULL,
    title           TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    tg_username     TEXT NOT NULL DEFAULT '',
    active          INTEGER NOT NULL DEFAULT 1,
    unreachable_at  TEXT,
    created_at      TEXT NOT NULL,
    deactivated_at  TEXT,
    CHECK ((role = 'liaison') = (unit_id IS NOT NULL AND liaison_kind IS NOT NULL))
);
CREATE UNIQUE INDEX people_one_active_per_user ON people(tg_user_id) WHERE active = 1;
CREATE UNIQUE INDEX people_one_primary_per_unit ON people(unit_id)
    WHERE active = 1 AND liaison_kind = 'primary';

CREATE TABLE invites (
    id            INTEGER PRIMARY KEY,
    code_hash     TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('supervisor', 'leader', 'liaison')),
    unit_id       INTEGER REFERENCES units(id),
    liaison_kind  TEXT CHECK (liaison_kind IN ('primary', 'deputy')),
    created_by    INTEGER REFERENCES people(id),
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    used_at       TEXT,
    used_by       INTEGER REFERENCES people(id)
);

CREATE TABLE items (
    id                  INTEGER PRIMARY KEY,
    title               TEXT NOT NULL,
    instruction         TEXT NOT NULL,
    instructing_leader  TEXT NOT NULL,
    source              TEXT NOT NULL,
    category            TEXT NOT NULL,
    deadline            TEXT NOT NULL,
    period              TEXT NOT NULL,
    is_key              INTEGER NOT NULL DEFAULT 0,
    status              TEXT NOT NULL,
    year                INTEGER,
    serial              INTEGER,
    letter_html         TEXT,
    return_reason       TEXT,
    created_by          INTEGER NOT NULL REFERENCES people(id),
    created_at          TEXT NOT NULL,
    approved_by         INTEGER REFERENCES people(id),
    approved_at         TEXT,
    sent_at             TEXT,
    updated_at          TEXT NOT NULL
);
CREATE UNIQUE INDEX items_serial ON items(year, serial) WHERE serial IS NOT NULL;
CREATE INDEX items_status ON items(status);

CREATE TABLE item_units (
    item_id             INTEGER NOT NULL REFERENCES items(id),
    unit_id             INTEGER NOT NULL REFERENCES units(id),
    role                TEXT NOT NULL CHECK (role IN ('lead', 'co')),
    signed_at           TEXT,
    signed_by           INTEGER REFERENCES people(id),
    responsible_name    TEXT,
    responsible_title   TEXT,
    responsible_phone   TEXT,
    responsible_at      TEXT,
    PRIMARY KEY (item_id, unit_id)
);
CREATE INDEX item_units_unit ON item_units(unit_id);

-- Every copy of a letter pushed to a person, with Telegram's message id or the error.
CREATE TABLE deliveries (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES items(id),
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    kind        TEXT NOT NULL,
    sent_at     TEXT NOT NULL,
    message_id  INTEGER,
    error       TEXT
);
CREATE INDEX deliveries_item ON deliveries(item_id);

CREATE TABLE serials (
    year  INTEGER PRIMARY KEY,
    last  INTEGER NOT NULL
);

-- Append-only: who did what, when.
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    person_id   INTEGER REFERENCES people(id),
    action      TEXT NOT NULL,
    item_id     INTEGER REFERENCES items(id),
    unit_id     INTEGER REFERENCES units(id),
    detail      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_item ON audit(item_id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

-- PTB persistence: conversation states and per-user data (form drafts).
CREATE TABLE ptb_conversations (
    name   TEXT NOT NULL,
    key    TEXT NOT NULL,
    state  TEXT NOT NULL,
    PRIMARY KEY (name, key)
);
CREATE TABLE ptb_user_data (
    user_id  INTEGER PRIMARY KEY,
    data     TEXT NOT NULL
);
CREATE TABLE ptb_chat_data (
    chat_id  INTEGER PRIMARY KEY,
    data     TEXT NOT NULL
);

CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
