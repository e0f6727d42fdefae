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

-- The lights are decided by the domain from these tables, never stored; the web ledger keeps
-- every item's light until this stamp moves (or the day changes). Each write that can change a
-- light bumps it in the writer's own transaction, from any process (item_units' frequent
-- next_check bookkeeping does not). A table the lights come to depend on needs its triggers.
CREATE TABLE ledger_stamp (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    n   INTEGER NOT NULL
);
INSERT INTO ledger_stamp (id, n) VALUES (1, 0);
CREATE TRIGGER items_stamp_insert AFTER INSERT ON items
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER items_stamp_delete AFTER DELETE ON items
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER items_stamp_update AFTER UPDATE ON items
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER item_units_stamp_insert AFTER INSERT ON item_units
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER item_units_stamp_delete AFTER DELETE ON item_units
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER item_units_stamp_update AFTER UPDATE OF item_id, unit_id, role, signed_at, responsible_at ON item_units
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER reports_stamp_insert AFTER INSERT ON reports
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER reports_stamp_delete AFTER DELETE ON reports
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER reports_stamp_update AFTER UPDATE ON reports
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER plan_targets_stamp_insert AFTER INSERT ON plan_targets
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER plan_targets_stamp_delete AFTER DELETE ON plan_targets
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER plan_targets_stamp_update AFTER UPDATE ON plan_targets
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER plan_milestones_stamp_insert AFTER INSERT ON plan_milestones
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER plan_milestones_stamp_delete AFTER DELETE ON plan_milestones
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER plan_milestones_stamp_update AFTER UPDATE ON plan_milestones
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER revisits_stamp_insert AFTER INSERT ON revisits
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER revisits_stamp_delete AFTER DELETE ON revisits
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER revisits_stamp_update AFTER UPDATE ON revisits
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER mutes_stamp_insert AFTER INSERT ON mutes
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER mutes_stamp_delete AFTER DELETE ON mutes
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
CREATE TRIGGER mutes_stamp_update AFTER UPDATE ON mutes
BEGIN UPDATE ledger_stamp SET n = n + 1; END;
