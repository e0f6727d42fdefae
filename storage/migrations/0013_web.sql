-- 0013: the read-only web ledger: one-time login links from /web and browser sessions.
-- Only hashes of the secrets are kept, so a copy of the database opens no session.
-- Times are Unix seconds (compared, never shown).

CREATE TABLE web_links (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    created_ts  INTEGER NOT NULL,
    expires_ts  INTEGER NOT NULL,
    spent_ts    INTEGER
);

CREATE TABLE web_sessions (
    id          INTEGER PRIMARY KEY,
    id_hash     TEXT NOT NULL UNIQUE,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    csrf        TEXT NOT NULL,
    created_ts  INTEGER NOT NULL,
    expires_ts  INTEGER NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions(expires_ts);

-- The ledger page filters and sorts on these.
CREATE INDEX items_deadline ON items(deadline);
CREATE INDEX items_category ON items(category, is_key);
CREATE INDEX items_leader ON items(instructing_leader);
CREATE INDEX item_units_item_role ON item_units(item_id, role);
