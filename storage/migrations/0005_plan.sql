-- 0005: the year's 大事要事 as a plan: 任务 (tasks) → 目标 (targets, each a supervised item of
-- its unit) → 节点 (milestones). Quantities are exact decimals kept as text ('10', '1.5').
--
-- A target is carried by one item at a time; a 跨年度 target gets a new item for each yearly
-- milestone (plan_milestones.item_id), so every year's ledger has its own row.

CREATE TABLE plan_tasks (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    category      TEXT NOT NULL CHECK (category IN ('批办性', '指导性')),
    leader        TEXT NOT NULL DEFAULT '',
    lead_unit_id  INTEGER NOT NULL REFERENCES units(id),
    is_key        INTEGER NOT NULL DEFAULT 0,
    year          INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE plan_targets (
    id          INTEGER PRIMARY KEY,
    task_id     INTEGER NOT NULL REFERENCES plan_tasks(id),
    code        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    quantity    TEXT,
    measure     TEXT NOT NULL DEFAULT '',
    shape       TEXT NOT NULL CHECK (shape IN ('年度', '年内', '跨年度')),
    start_on    TEXT,
    deadline    TEXT NOT NULL,
    period      TEXT NOT NULL,
    is_key      INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX plan_targets_task ON plan_targets(task_id);

CREATE TABLE plan_milestones (
    id         INTEGER PRIMARY KEY,
    target_id  INTEGER NOT NULL REFERENCES plan_targets(id),
    seq        INTEGER NOT NULL,
    due        TEXT NOT NULL,
    title      TEXT NOT NULL DEFAULT '',
    item_id    INTEGER REFERENCES items(id),
    UNIQUE (target_id, seq)
);

ALTER TABLE items ADD COLUMN target_id INTEGER REFERENCES plan_targets(id);
ALTER TABLE items ADD COLUMN plan_code TEXT;
ALTER TABLE items ADD COLUMN chase_from TEXT;
CREATE INDEX items_target ON items(target_id);

-- The quantity reached so far (cumulative), reported with progress on a quantified target.
ALTER TABLE reports ADD COLUMN quantity TEXT;
