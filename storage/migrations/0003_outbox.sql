-- 0003: the outbox of pushes the bot makes by itself, and unit mutes.
--
-- A row is decided and written in the same transaction as the decision; its dedupe_key makes
-- "one push per (rule, item, unit, period)" a constraint, not a hope. The sender moves it
--   pending ─► sending ─► sent            (message id kept)
--                    └──► uncertain       (timed out or crashed mid-send: not blindly retried)
--   pending ─► held                       (nobody in the unit can be reached: waits for a liaison)
--   pending ─► failed                     (a permanent error other than an unreachable person)

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    dedupe_key  TEXT NOT NULL UNIQUE,
    rule        TEXT NOT NULL,
    item_id     INTEGER REFERENCES items(id),
    unit_id     INTEGER REFERENCES units(id),
    person_id   INTEGER REFERENCES people(id),
    chat_id     INTEGER,
    template    TEXT NOT NULL,
    context     TEXT NOT NULL DEFAULT '{}',
    buttons     TEXT NOT NULL DEFAULT '[]',
    due_at      TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent', 'uncertain', 'held', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    sent_to     INTEGER REFERENCES people(id),
    message_id  INTEGER,
    sent_at     TEXT,
    error       TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX outbox_ready ON outbox(state, due_at, id);
CREATE INDEX outbox_item ON outbox(item_id);

CREATE TABLE mutes (
    unit_id     INTEGER PRIMARY KEY REFERENCES units(id),
    until       TEXT NOT NULL,
    muted_by    INTEGER REFERENCES people(id),
    muted_at    TEXT NOT NULL
);

-- Alerts decided by the reminder rules (e.g. a key item overdue) must also happen once.
ALTER TABLE alerts ADD COLUMN dedupe_key TEXT;
CREATE UNIQUE INDEX alerts_dedupe ON alerts(dedupe_key) WHERE dedupe_key IS NOT NULL;
