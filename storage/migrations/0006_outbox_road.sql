-- 0006: the outbox becomes the one road for every message to someone other than the person
-- acting. What changes:
--   * due_ts: when a row may go next, as UTC epoch seconds. Instants were compared as local
--     ISO strings, so a change of time zone held rows for hours; due_at stays as the moment
--     the row was decided, for people to read.
--   * automatic: 1 for what the bot sends on its own (reminders, escalations, posts); those
--     wait for working hours at send time. 0 for the effects of a person's action (letters,
--     approval and review cards, notices), which go at once.
--   * file_kind/file_id: a document or photo already on Telegram (a report's attachment).
--   * 'dropped': a reminder overtaken by events while it waited (the unit signed, the item
--     closed) is not sent late.
-- A transient failure (429, 5xx, connection refused) keeps the row 'pending' with a later
-- due_ts; only a send whose fate is unknown becomes 'uncertain'.

CREATE TABLE outbox_new (
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
    due_ts      INTEGER NOT NULL,
    automatic   INTEGER NOT NULL DEFAULT 1,
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent', 'uncertain', 'held', 'failed',
                                 'dropped')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    sent_to     INTEGER REFERENCES people(id),
    message_id  INTEGER,
    sent_at     TEXT,
    error       TEXT,
    created_at  TEXT NOT NULL,
    created_ts  INTEGER NOT NULL,
    photo       TEXT,
    file_kind   TEXT CHECK (file_kind IN ('photo', 'document')),
    file_id     TEXT
);

INSERT INTO outbox_new (id, dedupe_key, rule, item_id, unit_id, person_id, chat_id, template,
    context, buttons, due_at, due_ts, automatic, state, attempts, sent_to, message_id, sent_at,
    error, created_at, created_ts, photo)
SELECT id, dedupe_key, rule, item_id, unit_id, person_id, chat_id, template, context, buttons,
    due_at, CAST(strftime('%s', due_at) AS INTEGER), rule NOT IN ('letter', 'plan_changed'),
    state, attempts, sent_to, message_id, sent_at, error, created_at,
    CAST(strftime('%s', created_at) AS INTEGER), photo
FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_ready ON outbox(state, due_ts, id);
CREATE INDEX outbox_item ON outbox(item_id);
CREATE INDEX outbox_person ON outbox(person_id, state);
